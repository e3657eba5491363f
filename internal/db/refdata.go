package db

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
)

// leadingCountries get the first ids, so that the ids in the Integration API
// examples (2 = United States, 6 = Sweden) name the same countries here.
const leadingCountries = "GB US DK NO FI SE DE FR NL JP"

// isoCountries is ISO 3166-1 alpha-2, officially assigned codes.
const isoCountries = `AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL
BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK
DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU
GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ
LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY
MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU
RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO
TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW`

const euCountries = "AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK"

// usStates are the states of the United States and the District of
// Columbia in alphabetical order of name, which makes Nevada id 29 as in the
// Integration API examples.
var usStates = [][2]string{
	{"AL", "Alabama"}, {"AK", "Alaska"}, {"AZ", "Arizona"}, {"AR", "Arkansas"}, {"CA", "California"},
	{"CO", "Colorado"}, {"CT", "Connecticut"}, {"DE", "Delaware"}, {"DC", "District of Columbia"},
	{"FL", "Florida"}, {"GA", "Georgia"}, {"HI", "Hawaii"}, {"ID", "Idaho"}, {"IL", "Illinois"},
	{"IN", "Indiana"}, {"IA", "Iowa"}, {"KS", "Kansas"}, {"KY", "Kentucky"}, {"LA", "Louisiana"},
	{"ME", "Maine"}, {"MD", "Maryland"}, {"MA", "Massachusetts"}, {"MI", "Michigan"},
	{"MN", "Minnesota"}, {"MS", "Mississippi"}, {"MO", "Missouri"}, {"MT", "Montana"},
	{"NE", "Nebraska"}, {"NV", "Nevada"}, {"NH", "New Hampshire"}, {"NJ", "New Jersey"},
	{"NM", "New Mexico"}, {"NY", "New York"}, {"NC", "North Carolina"}, {"ND", "North Dakota"},
	{"OH", "Ohio"}, {"OK", "Oklahoma"}, {"OR", "Oregon"}, {"PA", "Pennsylvania"},
	{"RI", "Rhode Island"}, {"SC", "South Carolina"}, {"SD", "South Dakota"}, {"TN", "Tennessee"},
	{"TX", "Texas"}, {"UT", "Utah"}, {"VT", "Vermont"}, {"VA", "Virginia"}, {"WA", "Washington"},
	{"WV", "West Virginia"}, {"WI", "Wisconsin"}, {"WY", "Wyoming"},
}

// insertReferenceData fills the country and state tables. It is migration
// 2 on both engines.
func insertReferenceData(ctx context.Context, tx *sql.Tx) error {
	eu := map[string]bool{}
	for _, c := range strings.Fields(euCountries) {
		eu[c] = true
	}
	seen := map[string]bool{}
	var order []string
	for _, list := range []string{leadingCountries, isoCountries} {
		for _, c := range strings.Fields(list) {
			if !seen[c] {
				seen[c] = true
				order = append(order, c)
			}
		}
	}
	names := display.English.Regions()
	usID := int64(0)
	for i, code := range order {
		name := code
		if r, err := language.ParseRegion(code); err == nil {
			if n := names.Name(r); n != "" {
				name = n
			}
		}
		id := int64(i + 1)
		if code == "US" {
			usID = id
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO country (id, code, name, is_eu) VALUES ($1, $2, $3, $4)`, id, code, name, eu[code]); err != nil {
			return fmt.Errorf("insert country %s: %w", code, err)
		}
	}
	for i, st := range usStates {
		if _, err := tx.ExecContext(ctx, `INSERT INTO state (id, country_id, code, name) VALUES ($1, $2, $3, $4)`, i+1, usID, st[0], st[1]); err != nil {
			return fmt.Errorf("insert state %s: %w", st[0], err)
		}
	}
	return nil
}
