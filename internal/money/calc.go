package money

import (
	"fmt"

	"github.com/govalues/decimal"

	"seam/internal/mutant"
)

// Percent returns pct percent of minor units, rounded half to even once.
func Percent(minor int64, pct decimal.Decimal) (int64, error) {
	d, err := decimal.New(minor, 0)
	if err != nil {
		return 0, err
	}
	p, err := d.Mul(pct)
	if err != nil {
		return 0, fmt.Errorf("%d × %s%%: %w", minor, pct, ErrOverflow)
	}
	q, err := p.Quo(decimal.Hundred)
	if err != nil {
		return 0, err
	}
	return toMinor(q)
}

// TaxIncluded returns the tax within a gross amount at rate percent:
// gross × rate / (100 + rate), rounded half to even once.
func TaxIncluded(gross int64, rate decimal.Decimal) (int64, error) {
	if rate.IsZero() {
		return 0, nil
	}
	d, err := decimal.New(gross, 0)
	if err != nil {
		return 0, err
	}
	p, err := d.Mul(rate)
	if err != nil {
		return 0, fmt.Errorf("tax of %d: %w", gross, ErrOverflow)
	}
	div, err := decimal.Hundred.Add(rate)
	if err != nil {
		return 0, err
	}
	q, err := p.Quo(div)
	if err != nil {
		return 0, err
	}
	return toMinor(q)
}

// TaxExcluded returns the tax on a net amount at rate percent: net × rate /
// 100, rounded half to even once.
func TaxExcluded(net int64, rate decimal.Decimal) (int64, error) {
	return Percent(net, rate)
}

func toMinor(d decimal.Decimal) (int64, error) {
	if mutant.On("rounding-half-up") {
		d = halfUp(d)
	}
	whole, _, ok := d.Round(0).Int64(0)
	if !ok {
		return 0, fmt.Errorf("%s: %w", d, ErrOverflow)
	}
	return whole, nil
}

// Allocate splits total into parts proportional to weights, each part a
// whole number of minor units, the parts summing to total exactly: the
// remainders go one unit each to the largest fractions (then the earliest
// part). Zero weights get zero unless all are zero, when the split is even.
func Allocate(total int64, weights []int64) []int64 {
	out := make([]int64, len(weights))
	if len(weights) == 0 {
		return out
	}
	var sum int64
	for _, w := range weights {
		sum += w
	}
	if sum == 0 {
		weights = make([]int64, len(weights))
		for i := range weights {
			weights[i] = 1
		}
		sum = int64(len(weights))
	}
	type rem struct {
		i    int
		frac int64
	}
	rems := make([]rem, len(weights))
	var given int64
	for i, w := range weights {
		// total*w may overflow int64 for huge values; amounts here are
		// order totals, far below 2^31 × 2^31.
		out[i] = total * w / sum
		rems[i] = rem{i, total * w % sum}
		given += out[i]
	}
	left := total - given
	for left != 0 {
		best := -1
		for j, r := range rems {
			if best < 0 || r.frac > rems[best].frac {
				best = j
			}
		}
		if left > 0 {
			out[rems[best].i]++
			left--
		} else {
			out[rems[best].i]--
			left++
		}
		rems[best].frac = -1 << 62
	}
	return out
}

// halfUp rounds a tie away from zero instead of to even: the deliberate
// bug "rounding-half-up" of the mutation check (package mutant).
func halfUp(d decimal.Decimal) decimal.Decimal {
	half := decimal.MustNew(5, 1)
	frac, err := d.Sub(d.Trunc(0))
	if err != nil || frac.Abs().Cmp(half) != 0 {
		return d
	}
	if d.IsNeg() {
		half = half.Neg()
	}
	up, err := d.Add(half)
	if err != nil {
		return d
	}
	return up.Trunc(0)
}
