// PREFETCHW_W asks for the line of w (DI) 16 lines ahead of offset AX for
// writing, through BX, for the optimizers' steps. In a data-parallel step
// the other core read every weight in its shard's passes, so each line of
// w a step writes must first be taken from that core's cache; asking 16
// lines ahead keeps many such requests in flight. On LeNet-5 at 2 threads
// the momentum step took 24-28 µs with it instead of 36-43 (6 µs when all
// its lines are local). A prefetch past the end of w does not fault. The
// Go assembler has no PREFETCHW: 0F 0D /1 with ModRM 0x0b is PREFETCHW (BX).
#define PREFETCHW_W LEAQ 1024(DI)(AX*1), BX ; BYTE $0x0f; BYTE $0x0d; BYTE $0x0b
