package train

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/convnet/convnet/internal/numfmt"
)

// progress draws one line per epoch that updates in place on a terminal:
//
//	epoch 2/10 [=========>          ] 469/938 loss 0.0712 acc 97.81% 5,210 img/s ETA 0:09
//
// When the output is not a terminal (a log file, CI) it prints a plain line
// every tenth of the epoch instead, so logs stay readable.
type progress struct {
	w        io.Writer
	tty      bool
	last     time.Time
	lastTick int
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) update(epoch, epochs, step, steps int, loss, acc, imgPerS float64, eta time.Duration) {
	if p == nil || p.w == nil {
		return
	}
	done := step == steps
	if p.tty {
		if !done && time.Since(p.last) < 100*time.Millisecond {
			return
		}
		p.last = time.Now()
		const width = 24
		fill := width * step / steps
		bar := strings.Repeat("=", fill) + strings.Repeat(" ", width-fill)
		if fill < width {
			bar = bar[:fill] + ">" + bar[fill+1:]
		}
		fmt.Fprintf(p.w, "\repoch %d/%d [%s] %d/%d loss %.4f acc %.2f%% %s img/s ETA %s\x1b[K",
			epoch, epochs, bar, step, steps, loss, 100*acc, numfmt.ThousandsFloat(imgPerS), clock(eta))
		if done {
			fmt.Fprintln(p.w)
		}
		return
	}
	tick := 10 * step / steps
	if tick == p.lastTick && !done {
		return
	}
	p.lastTick = tick
	if done {
		p.lastTick = 0
	}
	fmt.Fprintf(p.w, "epoch %d/%d step %d/%d loss %.4f acc %.2f%% %s img/s ETA %s\n",
		epoch, epochs, step, steps, loss, 100*acc, numfmt.ThousandsFloat(imgPerS), clock(eta))
}

// clock formats a duration as m:ss or h:mm:ss.
func clock(d time.Duration) string {
	s := int(d.Round(time.Second).Seconds())
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}
