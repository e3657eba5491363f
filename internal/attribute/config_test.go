package attribute

import (
	"strings"
	"testing"
)

// TestConfigKeepsTheOrderWritten: types, elements and options come out in
// the file's order, whatever their names sort to.
func TestConfigKeepsTheOrderWritten(t *testing.T) {
	t.Parallel()
	ins, err := ParseConfig([]byte(`{"z_type": {"desc": "Z", "group": "variant", "mapped": true, "multi": true,
		"elements": {"zz": {"type": "select", "multi": true, "options": {"b": "Bee", "a": "Ay"}}, "aa": {"type": "checkbox"}}},
		"a_type": {"group": "order", "elements": {"x": {"type": "image"}}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(ins) != 2 || *ins[0].Name != "z_type" || *ins[1].Name != "a_type" || *ins[0].ObjectType != ProductVariant || !*ins[0].IsMulti {
		t.Fatalf("types: %+v", ins)
	}
	els := ins[0].Elements
	if *els[0].Key != "zz" || *els[1].Key != "aa" || *els[1].Kind != KindBoolean || *els[0].Options[0].Value != "b" || *els[0].Options[1].Name != "Ay" {
		t.Errorf("elements: %+v", els)
	}
}

func TestConfigMistakesNameTheirPlace(t *testing.T) {
	t.Parallel()
	tests := []struct{ config, say string }{
		{`[]`, "want a JSON object"},
		{`{"t": {"group": "warehouse", "elements": {"a": {"type": "input"}}}}`, `attribute type t: group "warehouse"`},
		{`{"t": {"group": "customer", "elements": {"a": {"type": "colour"}}}}`, `attribute type t element a: type "colour"`},
		{`{"t": {"group": "customer"}}`, "attribute type t: elements are missing"},
		{`{"t": {"group": "customer", "colour": 1, "elements": {"a": {"type": "input"}}}}`, `unknown field "colour"`},
		{`{"t": {"group": "customer", "elements": {"a": {"type": "select", "options": {"x": 1}}}}}`, "option x: the name must be a string"},
	}
	for _, tc := range tests {
		_, err := ParseConfig([]byte(tc.config))
		if err == nil || !strings.Contains(err.Error(), tc.say) {
			t.Errorf("%s: error %v, want one saying %q", tc.config, err, tc.say)
		}
	}
}
