// Package web serves convnet's dashboard: one page, from assets embedded
// with //go:embed (plain HTML, CSS and JavaScript, no build step, nothing
// fetched from the network), that shows a model learning or a trained model:
// loss and accuracy curves, the activation maps of every layer for a chosen
// test image with the filters beside them, per-layer health over epochs,
// the confusion matrix and the test images the model gets most wrong, and a
// canvas to draw on whose prediction, maps and saliency come back at once.
//
// A training run shares its progress through a Hub: the training goroutine
// calls Step, Epoch, Health and Snapshot, which take a mutex for a moment
// and copy numbers (the weights at most every Hub.Every); the handlers read
// the Hub and run their own copy of the model, so no page ever touches the
// training graph, and a slow page slows only its own connection.
// Updates reach pages as server-sent events.
//
// Routes, all in one table (see routes in server.go):
//
//	GET  /                       the page
//	GET  /assets/{file}          its script and style sheet
//	GET  /api/state              model, history and status as JSON
//	GET  /api/events             server-sent events: steps, epochs, health, snapshots
//	GET  /api/maps?image=N       activation maps, filters and saliency for test image N
//	GET  /api/eval               confusion matrix and most-wrong test images
//	GET  /api/testimage/{n}      test image n as PNG
//	POST /api/predict            an uploaded PNG or JPEG: prediction, maps, saliency
package web
