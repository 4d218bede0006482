package kernel

import "golang.org/x/sys/cpu"

// CPU features the assembly kernels need, read once at start-up. They are
// variables, not constants, so tests can switch each one off and check the
// path below it; nothing else writes them. x/sys/cpu reports a feature only
// when the OS also saves the registers it uses, so a set flag is safe to act on.
var (
	// hasAVX2FMA selects the 6×16 AVX2 GEMM micro-kernel (ymm, fused
	// multiply-add) and the AVX2 copies and 8×8 transposes that pack for
	// every kernel.
	hasAVX2FMA = cpu.X86.HasAVX2 && cpu.X86.HasFMA
	// hasAVX512 selects the 8×32 and 8×16 AVX-512 GEMM micro-kernels (zmm,
	// mask registers for the edges of C).
	hasAVX512 = cpu.X86.HasAVX512F
)
