package nn

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/convnet/convnet/internal/numfmt"
	"github.com/convnet/convnet/tensor"
)

// LayerSummary is one row of a model summary, per example.
type LayerSummary struct {
	Name     string
	Layer    string // the layer in the model text form
	Inputs   []string
	Shape    []int // output shape, batch excluded
	Params   int
	MACs     int64 // multiply-accumulates of one forward pass
	ActBytes int64 // bytes of the output activation (float32)
}

// Summarize lists every layer of g with its output shape, parameter count,
// multiply-adds and activation memory per example, like Keras' summary()
// or torchinfo.
func Summarize(g *Graph) []LayerSummary {
	var rows []LayerSummary
	for _, n := range g.Nodes {
		r := LayerSummary{Name: n.Name, Layer: "input", Shape: n.Shape, ActBytes: 4 * int64(tensor.Size(n.Shape))}
		if n.Layer != nil {
			r.Layer = Describe(n.Layer)
			for _, p := range n.Layer.Params() {
				r.Params += p.Value.Len()
			}
			r.MACs = macs(n)
			for _, in := range n.Inputs {
				r.Inputs = append(r.Inputs, in.Name)
			}
		}
		rows = append(rows, r)
	}
	return rows
}

// macs counts the multiply-accumulates of a node's forward pass: for conv
// F·OH·OW·(C/G)·KH·KW, for dense In·Out per row, for a matrix product
// M·K·P per output matrix; for elementwise and pooling layers one per
// output element times the window, a rough but comparable cost.
func macs(n *Node) int64 {
	out := int64(tensor.Size(n.Shape))
	switch l := n.Layer.(type) {
	case *Conv2D:
		return out * int64(l.geom.C*l.KH*l.KW)
	case *Dense:
		return out * int64(l.W.Value.Shape[1])
	case *DenseLast:
		return out * int64(l.Dense.W.Value.Shape[1])
	case *MatMul:
		return out * int64(l.k)
	case Flatten:
		return 0
	}
	if len(n.Inputs) > 0 && n.Layer.Type() != "add" && n.Layer.Type() != "concat" {
		in := int64(tensor.Size(n.Inputs[0].Shape))
		return max(in, out)
	}
	return out
}

// WriteSummary prints the summary table of m for batch size batch, with
// totals.
func WriteSummary(w io.Writer, m *Model, batch int) error {
	rows := Summarize(m.Graph)
	branching := false
	for _, r := range rows {
		branching = branching || len(r.Inputs) > 1
	}
	table := [][]string{{"layer", "", "input", "output shape", "params", "mult-adds", "activations"}}
	var params int
	var mac, act int64
	for _, r := range rows {
		in := ""
		if branching {
			in = strings.Join(r.Inputs, "+")
		}
		table = append(table, []string{r.Name, r.Layer, in, tensor.ShapeString(append([]int{batch}, r.Shape...)),
			numfmt.Thousands(int64(r.Params)), numfmt.Thousands(r.MACs * int64(batch)), bytesString(r.ActBytes * int64(batch))})
		params += r.Params
		mac += r.MACs
		act += r.ActBytes
	}
	if !branching {
		for i := range table {
			table[i] = append(table[i][:2], table[i][3:]...)
		}
	}
	left := 2
	if branching {
		left = 3
	}
	if err := writeTable(w, table, left); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\ntotal params: %s (%s)\nmult-adds per forward pass, batch %d: %s\nactivation memory, batch %d: %s (forward; training keeps about twice that for gradients)\n",
		numfmt.Thousands(int64(params)), bytesString(4*int64(params)), batch, numfmt.Thousands(mac*int64(batch)), batch, bytesString(act*int64(batch)))
	return err
}

// writeTable prints rows in columns two spaces apart: the first left
// columns aligned left, the rest (numbers) aligned right.
func writeTable(w io.Writer, rows [][]string, left int) error {
	width := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			width[i] = max(width[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	for _, r := range rows {
		for i, c := range r {
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(c))
			if i > 0 {
				b.WriteString("  ")
			}
			if i < left {
				b.WriteString(c + pad)
			} else {
				b.WriteString(pad + c)
			}
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, strings.ReplaceAll(b.String(), " \n", "\n"))
	return err
}

func bytesString(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
