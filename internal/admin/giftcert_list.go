package admin

import (
	"net/http"

	"seam/internal/money"
	"seam/internal/store"
)

type giftDef struct {
	Gift    store.GiftCertificate
	Amounts []store.GiftAmount
}

type issuedGift struct {
	Voucher store.Voucher
	Credit  money.Amount
	Balance money.Amount
	Ledger  []store.CreditEntry
}

type giftList struct {
	Defs   []giftDef
	Issued []issuedGift
}

// giftPage is how many issued certificates the page lists.
const giftPage = 100

// giftCertList shows the gift certificates a store sells (seed 004: the
// predetermined amounts per currency, or any amount within bounds) and
// the certificates bought, newest first, with the code's last four
// characters, the balance and the ledger (issued, redeemed, credited
// back). Codes are stored only as hashes, so none is shown.
func (h *Handler) giftCertList(w http.ResponseWriter, r *http.Request) {
	ctx, q := r.Context(), h.cfg.DB.Read()
	defs, err := store.ListGiftCertificates(ctx, q, store.GiftFilter{}, store.Page{Limit: 100})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var ids []int64
	for _, g := range defs {
		ids = append(ids, g.ID)
	}
	amounts, err := store.GiftAmounts(ctx, q, ids)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var v giftList
	for _, g := range defs {
		d := giftDef{Gift: g}
		for _, a := range amounts {
			if a.GiftCertificateID == g.ID {
				d.Amounts = append(d.Amounts, a)
			}
		}
		v.Defs = append(v.Defs, d)
	}
	vouchers, err := store.ListVouchers(ctx, q, store.VoucherFilter{Types: []string{"CREDIT"}}, []store.Sort{{Field: "id", Desc: true}}, store.Page{Limit: giftPage})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var vids []int64
	for _, vo := range vouchers {
		vids = append(vids, vo.ID)
	}
	entries, err := store.CreditEntries(ctx, q, vids, nil)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, vo := range vouchers {
		if vo.GiftCertificateID == nil || vo.CreditCurrency == nil {
			continue
		}
		ig := issuedGift{Voucher: vo, Credit: money.New(derefInt64(vo.CreditMinor), *vo.CreditCurrency),
			Balance: money.New(derefInt64(vo.BalanceMinor), *vo.CreditCurrency)}
		for _, e := range entries {
			if e.VoucherID == vo.ID {
				ig.Ledger = append(ig.Ledger, e)
			}
		}
		v.Issued = append(v.Issued, ig)
	}
	h.render(w, r, http.StatusOK, "giftcert_list", "Gift certificates", "gifts", v)
}

func derefInt64(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}
