package nn

import (
	"strings"

	"github.com/convnet/convnet/tensor"
)

// Cloner is a layer that can make a replica of itself for data-parallel
// execution (see Graph.Forward): a new, unbuilt layer with the same
// configuration whose parameters and saved state share their values with
// the original's (the same *tensor.Tensor), with gradients of their own, and
// which shares no scratch. An optimizer step on the original is therefore
// seen by every replica at once.
type Cloner interface {
	Clone() Layer
}

// batchCoupled is a layer whose output for one example depends, in training,
// on the rest of the batch (batch norm's batch statistics) or on a random
// stream drawn in batch order (dropout's masks). A graph with such a layer
// trains whole, not in shards, so that its results do not depend on the
// thread count.
type batchCoupled interface {
	couplesBatch(train bool) bool
}

// shareParam returns a parameter sharing p's value with a gradient of its
// own; the name loses its graph qualifier, which Graph.Add puts back.
func shareParam(p *Param) *Param {
	if p == nil {
		return nil
	}
	name := p.Name[strings.LastIndexByte(p.Name, '.')+1:]
	return &Param{Name: name, Value: p.Value, Grad: tensor.New(p.Value.Shape...), NoDecay: p.NoDecay}
}

func (l *Conv2D) Clone() Layer {
	return &Conv2D{Filters: l.Filters, KH: l.KH, KW: l.KW, SH: l.SH, SW: l.SW,
		PadT: l.PadT, PadL: l.PadL, PadB: l.PadB, PadR: l.PadR, DH: l.DH, DW: l.DW,
		Groups: l.Groups, NoBias: l.NoBias, Init: l.Init, W: shareParam(l.W), B: shareParam(l.B)}
}

func (l *ConvTranspose2D) Clone() Layer {
	return &ConvTranspose2D{Filters: l.Filters, KH: l.KH, KW: l.KW, SH: l.SH, SW: l.SW,
		PadT: l.PadT, PadL: l.PadL, PadB: l.PadB, PadR: l.PadR, OutPadH: l.OutPadH, OutPadW: l.OutPadW,
		DH: l.DH, DW: l.DW, Groups: l.Groups, NoBias: l.NoBias, Init: l.Init, W: shareParam(l.W), B: shareParam(l.B)}
}

func (l *Dense) Clone() Layer {
	return &Dense{Out: l.Out, In: l.In, NoBias: l.NoBias, Init: l.Init, W: shareParam(l.W), B: shareParam(l.B)}
}

func (l *BatchNorm2D) Clone() Layer {
	return &BatchNorm2D{Momentum: l.Momentum, Eps: l.Eps, Gamma: shareParam(l.Gamma), Beta: shareParam(l.Beta),
		RunningMean: shareParam(l.RunningMean), RunningVar: shareParam(l.RunningVar)}
}

func (l *BatchNorm2D) couplesBatch(train bool) bool { return train }

func (l *PReLU) Clone() Layer { return &PReLU{Shared: l.Shared, A: shareParam(l.A)} }

func (l *Activation) Clone() Layer { return &Activation{Kind: l.Kind, Alpha: l.Alpha} }

func (l *MaxPool2D) Clone() Layer {
	return &MaxPool2D{KH: l.KH, KW: l.KW, SH: l.SH, SW: l.SW, PadT: l.PadT, PadL: l.PadL, PadB: l.PadB, PadR: l.PadR,
		DH: l.DH, DW: l.DW, CeilMode: l.CeilMode}
}

func (l *AvgPool2D) Clone() Layer {
	return &AvgPool2D{KH: l.KH, KW: l.KW, SH: l.SH, SW: l.SW, PadT: l.PadT, PadL: l.PadL, PadB: l.PadB, PadR: l.PadR,
		CeilMode: l.CeilMode, CountIncludePad: l.CountIncludePad}
}

func (l *GlobalAvgPool) Clone() Layer { return &GlobalAvgPool{} }
func (l *GlobalMaxPool) Clone() Layer { return &GlobalMaxPool{} }
func (Flatten) Clone() Layer          { return Flatten{} }
func (l *Add) Clone() Layer           { return &Add{} }
func (l *Concat) Clone() Layer        { return &Concat{} }
func (l *Clip) Clone() Layer          { return &Clip{Min: l.Min, Max: l.Max} }
func (l *HardSigmoid) Clone() Layer   { return &HardSigmoid{Alpha: l.Alpha, Beta: l.Beta} }
func (l *LogSoftmax) Clone() Layer    { return &LogSoftmax{} }

// Clone shares the constant operand, which no one writes.
func (l *ConstBinary) Clone() Layer { return &ConstBinary{Op: l.Op, C: l.C} }

// Clone gives a dropout layer for inference only: it has no random stream,
// and a graph with dropout trains whole (see batchCoupled).
func (l *Dropout) Clone() Layer { return &Dropout{P: l.P} }

func (l *Dropout) couplesBatch(train bool) bool { return train }
