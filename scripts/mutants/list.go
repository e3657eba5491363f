package main

// mutants is the list of deliberate bugs: each names the mutant (as the
// code's mutant.On/Drop/Replace/Int calls do; several joined by "+" switch on
// together), the package whose tests catch it and those tests. Keep one
// or more for every invariant Seam promises and every proof .ci/run
// requires.
var mutants = []mutant{
	// The five bugs issue 18 found slipping through.
	{"tax-per-unit", "internal/rest", "TestTaxIsRoundedOncePerLine"},
	{"read-grants-write", "internal/gql", "TestReadPermissionDoesNotGrantWrite"},
	{"idempotency-ignores-body", "internal/rest", "TestIdempotencyKeyWithAnotherBodyIs422"},
	{"order-by-id-any-store", "internal/gql", "TestOrderByIDKeepsToTheTokensStore"},
	{"line-of-any-selection", "internal/rest", "TestSessionCannotTouchAnotherSessionsLine"},

	// One-time payment links: each guard alone, and both.
	{"payment-link-reuse", "internal/rest", "TestPaymentLinkIsUsedOnceOnItsOwn"},
	{"selection-sold-twice", "internal/rest", "TestLinkedSelectionIsSoldOnceOnItsOwn"},
	{"payment-link-reuse+selection-sold-twice", "internal/rest", "TestPaymentLinkRace"},
	{"product-link-reuse", "internal/rest", "TestUseOnceLinkRacedByFiftyBuyersSellsOnce"},

	// Voucher uses and credit, without the order-number lock or CHECKs.
	{"voucher-use-unlimited", "internal/rest", "TestVoucherUseHoldsOnItsOwn TestVoucherMaxUsagesUnderRace"},
	{"voucher-use-read-then-write", "internal/rest", "TestVoucherUseHoldsOnItsOwn"},
	{"credit-uncovered", "internal/rest", "TestCreditDebitHoldsOnItsOwn TestCreditRace"},
	{"credit-read-then-write", "internal/rest", "TestCreditDebitHoldsOnItsOwn"},
	{"gift-balance-short", "internal/rest", "TestBuyGiftCertificates TestCreditRace"},

	// One order per payment, captures within the authorization.
	{"selection-paid-twice", "internal/rest", "TestSelectionIsPaidOnceOnItsOwn"},
	{"payment-result-repeat-refused", "internal/rest", "TestPaymentResultMakesOneOrder"},
	{"capture-leaves-shipment-unpaid", "internal/gql", "TestConcurrentCapturesNeverExceedTheAuthorization"},
	{"capture-over-authorization", "internal/rest", "TestCaptureNeverExceedsTheAuthorizationOnItsOwn"},

	// Stock.
	{"stock-oversell+stock-rows-unlocked", "internal/rest", "TestStockIsNeverOversold"},
	{"stock-allocate-read-then-write+stock-rows-unlocked", "internal/rest", "TestStockIsNeverOversold"},
	{"stock-change-lost-update+stock-rows-unlocked", "internal/gql", "TestConcurrentStockChangesAllCount"},

	// Delivery: mail and webhooks once each, nothing skipped.
	{"mail-lease-ignored", "internal/mail", "TestTwoWorkersSendEachMessageExactlyOnce"},
	{"webhook-lease-ignored", "internal/webhook", "TestTwoFeedWorkersDeliverEachEventOnce"},
	{"webhook-cursor-skips-failed", "internal/webhook", "TestReceiverDownForFiveAttemptsGetsEveryEventOnceInOrder"},

	// Money, scope, input, contracts.
	{"rounding-half-up", "internal/money", "TestTaxIsRoundedHalfToEvenOnce"},
	{"store-scope-ignored", "internal/gql", "TestOrdersQuery"},
	{"quantity-over-limit", "internal/rest", "TestCheckoutAPIKeepsItsContract"},
	{"size-chart-divider", "internal/gql", "TestSeedCatalogDocumentsRunAsWritten"},
	{"confirm-keeps-pending", "internal/gql", "TestSeedOrderProcessingDocumentsRunAsWritten"},
	{"return-keeps-a-unit", "internal/gql", "TestSeedShipmentAndReturnDocumentsRunAsWritten"},
	{"attribute-value-dropped", "internal/gql", "TestSeedCustomerAttributesRunAsWritten"},
}
