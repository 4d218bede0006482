package web

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"

	"github.com/convnet/convnet/train"
)

// MetricsError is a metrics file that cannot be read.
type MetricsError struct {
	Line int
	Msg  string
}

func (e *MetricsError) Error() string { return fmt.Sprintf("web: metrics line %d: %s", e.Line, e.Msg) }

// maxMetricsLine caps one line of a metrics file (a health line of a deep
// model is the longest).
const maxMetricsLine = 4 << 20

// ReadMetrics reads the JSON lines train.Run writes (train.Config.Metrics):
// steps, epochs and health, in file order. Lines of other types are
// skipped; a line that is not JSON is an error naming it.
func ReadMetrics(r io.Reader) (steps []train.StepInfo, epochs []train.EpochInfo, health []train.HealthInfo, err error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxMetricsLine)
	for n := 1; sc.Scan(); n++ {
		line := sc.Bytes()
		if len(line) == 0 {
			continue
		}
		var kind struct {
			Type string `json:"type"`
		}
		if err := json.Unmarshal(line, &kind); err != nil {
			return nil, nil, nil, &MetricsError{n, "not JSON: " + err.Error()}
		}
		var v any
		switch kind.Type {
		case "step":
			steps = append(steps, train.StepInfo{})
			v = &steps[len(steps)-1]
		case "epoch":
			epochs = append(epochs, train.EpochInfo{})
			v = &epochs[len(epochs)-1]
		case "health":
			health = append(health, train.HealthInfo{})
			v = &health[len(health)-1]
		default:
			continue
		}
		if err := json.Unmarshal(line, v); err != nil {
			return nil, nil, nil, &MetricsError{n, err.Error()}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, nil, nil, &MetricsError{0, err.Error()}
	}
	return steps, epochs, health, nil
}
