package gql_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"seam/internal/attribute"
	"seam/internal/auth"
	"seam/internal/db"
	"seam/internal/dbtest"
	"seam/internal/gql/gqltest"
)

// checkout sends one Checkout API call as a browser and decodes the
// answer, which must be 200.
func (s *liveShop) checkout(token, method, path string, body any) map[string]any {
	s.t.Helper()
	status, out := s.checkoutCall(token, method, path, body)
	if status != http.StatusOK {
		s.t.Fatalf("%s %s: %d %v", method, path, status, out)
	}
	return out
}

// guestOrder buys a demo tee as a shopper who is not logged in, over
// HTTP, and returns the order's hash and number.
func (s *liveShop) guestOrder(email, first, last string) (string, int64) {
	s.t.Helper()
	a := s.checkout("", "POST", "/items/1-3", nil)
	token, _ := a["token"].(string)
	o := s.checkout(token, "POST", "/payment", map[string]any{"termsAndConditions": true, "address": map[string]any{
		"email": email, "firstName": first, "lastName": last, "address1": "Storgatan 1", "zipCode": "11122", "city": "Stockholm", "country": "SE"}})
	hash, _ := gqltest.Get(o, "order", "id").(string)
	r := s.erp.MustOK(`query($id: String!) { order(id: $id) { number } }`, map[string]any{"id": hash})
	return hash, int64(gqltest.Get(r.Data, "order", "number").(float64))
}

// seedAttributeTypes is the seed's cus_extra type as a configuration
// file, with an order type besides.
const seedAttributeTypes = `{
  "cus_extra": {"desc": "Customer", "group": "customer", "readonly": false,
    "elements": {"id": {"desc": "External Customer ID", "type": "input"}, "ship_id": {"desc": "Customer shipping ID", "type": "input"}}},
  "ord_gift": {"desc": "Gift wrapping", "group": "order",
    "elements": {"wrap": {"desc": "Wrap it", "type": "boolean"}, "paper": {"desc": "Paper", "type": "select", "options": {"red": "Red paper", "gold": "Gold paper"}}}}
}`

func loadAttributeTypes(t *testing.T, d *db.DB, config string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "attributes.json")
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := attribute.LoadConfig(context.Background(), d, path); err != nil {
		t.Fatal(err)
	}
}

// TestSeedCustomerAttributesRunAsWritten runs seed 003's
// getCustomerWithAttributes and setCustomerAttribute as written against
// customer 27, made by a guest order placed over the Checkout API, with the
// seed's cus_extra type from the configuration file.
func TestSeedCustomerAttributesRunAsWritten(t *testing.T) {
	t.Parallel()
	docs := map[string][]byte{}
	for _, name := range []string{"get_customer_with_attributes", "set_customer_attribute"} {
		for _, ext := range []string{".graphql", ".response.json"} {
			b, err := os.ReadFile("testdata/seed-customers/" + name + ext)
			if err != nil {
				t.Fatal(err)
			}
			docs[name+ext] = b
		}
	}
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startShop(t, d)
		loadAttributeTypes(t, d, seedAttributeTypes)
		// The seed's customer is number 27: let 26 be someone else.
		dbtest.Exec(t, d, `INSERT INTO customer (id, store_id, email, created_at, updated_at) VALUES (26, 1, 'someone@example.com', '2024-01-01', '2024-01-01')`)
		if err := d.ResetSequences(context.Background()); err != nil {
			t.Fatal(err)
		}
		s.guestOrder("symek+333@centra.com", "Pio", "Sym")
		if id := dbtest.Int(t, d, `SELECT id FROM customer WHERE email = 'symek+333@centra.com' AND NOT registered`); id != 27 {
			t.Fatalf("the order's customer is %d, want 27", id)
		}
		s.erp.MustOK(`mutation { assignAttributes(input: {objectType: Customer, objectId: 27, dynamicAttributes: [
			{attributeTypeName: "cus_extra", attributeElementKey: "id", attributeElementValue: "12345"},
			{attributeTypeName: "cus_extra", attributeElementKey: "ship_id", attributeElementValue: "9999"}]}) { userErrors { message } } }`, nil)

		// The mutation reuses the query's fragment, as the seed says.
		get := string(docs["get_customer_with_attributes.graphql"])
		fragment := get[strings.Index(get, "fragment attributes"):]
		r := s.erp.MustOK(get, nil)
		compareWithSeed(t, "getCustomerWithAttributes", docs["get_customer_with_attributes.response.json"], r)
		if id := gqltest.Get(r.Data, "customers", 0, "id"); id != 27.0 {
			t.Errorf("customer id %v, want 27", id)
		}

		r = s.erp.MustOK(string(docs["set_customer_attribute.graphql"])+fragment, nil)
		compareWithSeed(t, "setCustomerAttribute", docs["set_customer_attribute.response.json"], r)
		got := dbtest.String(t, d, `SELECT value FROM attribute_value WHERE object_type = 'Customer' AND object_id = 27 AND element_key = 'ship_id'`)
		if got != "Completely new value" {
			t.Errorf("stored ship_id %q", got)
		}
		// The order made the customer; each assignment that changed
		// values updated it; a second run changes nothing.
		s.erp.MustOK(string(docs["set_customer_attribute.graphql"])+fragment, nil)
		events := func(action string) int64 {
			return dbtest.Int(t, d, `SELECT COUNT(*) FROM event WHERE object_type = 'Customer' AND object_id = '27' AND action = $1`, action)
		}
		if c, u := events("CREATED"), events("UPDATED"); c != 1 || u != 2 {
			t.Errorf("customer 27 has %d CREATED and %d UPDATED events, want 1 and 2", c, u)
		}
		if a := dbtest.String(t, d, `SELECT actor FROM event WHERE object_type = 'Customer' AND action = 'CREATED'`); a != "checkout" {
			t.Errorf("the customer was created by %q, want checkout", a)
		}
	})
}

// TestRegisteredAndGuestCustomersShareAnEmail: a guest order and
// createCustomer with one address (in other case) make two customers, and
// customers(where: {email}) finds both; a second of either kind is not made.
func TestRegisteredAndGuestCustomersShareAnEmail(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startShop(t, d)
		s.guestOrder("ann@example.com", "Ann", "Lee")
		create := `mutation($email: String!) { createCustomer(input: {store: {id: 1}, email: $email, password: "correct horse", firstName: "Ann", lastName: "Registered"}) {
			customer { id email isRegistered firstName } userErrors { message path } } }`
		r := s.erp.MustOK(create, map[string]any{"email": "Ann@Example.com"})
		if gqltest.Get(r.Data, "createCustomer", "customer", "isRegistered") != true || gqltest.Get(r.Data, "createCustomer", "customer", "email") != "ann@example.com" {
			t.Fatalf("createCustomer: %s", r.Raw)
		}
		r = refused(t, s.erp, create, map[string]any{"email": "ann@example.com"})
		if ue := r.UserErrors("createCustomer"); len(ue) != 1 || gqltest.Get(ue[0], "path", 1) != "email" {
			t.Errorf("a second registered customer: %s", r.Raw)
		}
		s.guestOrder("ANN@example.com", "Ann", "Lee-Guest")

		r = s.erp.MustOK(`{ customers(where: {email: {equals: "ann@EXAMPLE.com"}}) { email firstName lastName isRegistered store { id } } }`, nil)
		list, _ := r.Data["customers"].([]any)
		if len(list) != 2 || gqltest.Get(list, 0, "isRegistered") != false || gqltest.Get(list, 1, "isRegistered") != true {
			t.Fatalf("customers with ann@example.com: %s", r.Raw)
		}
		if gqltest.Get(list, 0, "lastName") != "Lee-Guest" || gqltest.Get(list, 1, "lastName") != "Registered" {
			t.Errorf("the guest takes the latest order's name, the registered one keeps its own: %s", r.Raw)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(DISTINCT customer_id) FROM orders`); n != 1 {
			t.Errorf("two guest orders of one address have %d customers, want 1", n)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM customer WHERE password_hash LIKE 'pbkdf2-sha256$600000$%' AND password_hash NOT LIKE '%correct horse%'`); n != 1 {
			t.Errorf("%d customers have a hashed password, want 1", n)
		}
		created := dbtest.Int(t, d, `SELECT COUNT(*) FROM event WHERE object_type = 'Customer' AND action = 'CREATED'`)
		updated := dbtest.Int(t, d, `SELECT COUNT(*) FROM event WHERE object_type = 'Customer' AND action = 'UPDATED'`)
		if created != 2 || updated != 1 {
			t.Errorf("%d CREATED and %d UPDATED customer events, want 2 (guest, registered) and 1 (the guest's new last name)", created, updated)
		}
		r = s.erp.MustOK(`{ customers(where: {email: {equals: "nobody@example.com"}}) { id } }`, nil)
		if list, _ := r.Data["customers"].([]any); len(list) != 0 {
			t.Errorf("an unknown address finds %s", r.Raw)
		}
		r = refused(t, s.erp, create, map[string]any{"email": "not an address"})
		if ue := r.UserErrors("createCustomer"); len(ue) != 1 {
			t.Errorf("a bad address: %s", r.Raw)
		}
	})
}

// refused sends a mutation that should answer with userErrors: it fails
// the test on a status other than 200 or GraphQL errors only.
func refused(t *testing.T, c *gqltest.Client, query string, vars map[string]any) gqltest.Result {
	t.Helper()
	r := c.Do(query, vars)
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("status %d, errors %v\nquery: %s", r.Status, r.Errors, query)
	}
	return r
}

const attributesFragment = `fragment attrs on ObjectWithAttributes { attributes {
	type { name isMapped } description objectType
	... on MappedAttribute { id name }
	elements { key kind ... on AttributeStringElement { value } ... on AttributeChoiceElement { isMulti selectedValue selectedValueName }
		... on AttributeFileElement { url } ... on AttributeImageElement { url mimeType width } } } }`

// TestAssignAndUnassignOnEveryObjectKind assigns dynamic and mapped
// attributes, of types made with createAttributeType, to a customer, an
// order (by number), a product and a variant, reads them back through each
// object and unassigns them again.
func TestAssignAndUnassignOnEveryObjectKind(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startShop(t, d)
		loadAttributeTypes(t, d, seedAttributeTypes)
		hash, number := s.guestOrder("bo@example.com", "Bo", "Ek")
		customerID := dbtest.Int(t, d, `SELECT id FROM customer WHERE email = 'bo@example.com'`)

		for _, def := range []string{
			`{name: "cus_profile", description: "Profile", objectType: Customer, elements: [
				{key: "note", kind: TEXTAREA}, {key: "vip", kind: BOOLEAN},
				{key: "sizes", kind: SELECT, isMulti: true, options: [{value: "s", name: "Small"}, {value: "m", name: "Medium"}]},
				{key: "contract", kind: FILE}, {key: "photo", kind: IMAGE}]}`,
			`{name: "pr_material", description: "Material", objectType: Product, isMapped: true, elements: [{key: "text", kind: INPUT}]}`,
			`{name: "var_tags", description: "Tags", objectType: ProductVariant, isMapped: true, isMulti: true, elements: [{key: "tag", kind: INPUT}]}`,
		} {
			r := s.erp.MustOK(`mutation { createAttributeType(input: `+def+`) { attributeType { name } userErrors { message path } } }`, nil)
			if ue := r.UserErrors("createAttributeType"); len(ue) != 0 {
				t.Fatalf("createAttributeType: %s", r.Raw)
			}
		}
		mapped := func(typ, name, key, value string) int64 {
			r := s.erp.MustOK(fmt.Sprintf(`mutation { createAttribute(input: {typeName: %q, name: %q, elements: [{key: %q, value: %q}]}) {
				attribute { id name elements { key ... on AttributeStringElement { value } } } userErrors { message path } } }`, typ, name, key, value), nil)
			if ue := r.UserErrors("createAttribute"); len(ue) != 0 {
				t.Fatalf("createAttribute: %s", r.Raw)
			}
			if gqltest.Get(r.Data, "createAttribute", "attribute", "elements", 0, "value") != value {
				t.Errorf("createAttribute %s: %s", name, r.Raw)
			}
			return gqltest.ID(r.Data, "createAttribute", "attribute", "id")
		}
		cotton, wool := mapped("pr_material", "Cotton", "text", "100% cotton"), mapped("pr_material", "Wool", "text", "Merino")
		eco, sale := mapped("var_tags", "Eco", "tag", "eco"), mapped("var_tags", "Sale", "tag", "sale")

		assign := func(objectType string, id int64, input string) map[string]any {
			t.Helper()
			r := s.erp.MustOK(fmt.Sprintf(`mutation { assignAttributes(input: {objectType: %s, objectId: %d, %s}) {
				userErrors { message path } object { __typename ...attrs } } }`, objectType, id, input)+attributesFragment, nil)
			if ue := r.UserErrors("assignAttributes"); len(ue) != 0 {
				t.Fatalf("assign to %s %d: %s", objectType, id, r.Raw)
			}
			return gqltest.Get(r.Data, "assignAttributes", "object").(map[string]any)
		}
		o := assign("Customer", customerID, `dynamicAttributes: [
			{attributeTypeName: "cus_profile", attributeElementKey: "note", attributeElementValue: "Line one\nLine two"},
			{attributeTypeName: "cus_profile", attributeElementKey: "vip", attributeElementValue: "true"},
			{attributeTypeName: "cus_profile", attributeElementKey: "sizes", attributeElementValue: "m,s"},
			{attributeTypeName: "cus_profile", attributeElementKey: "contract", attributeElementValue: "https://files.example.com/c.pdf"},
			{attributeTypeName: "cus_profile", attributeElementKey: "photo", attributeElementValue: "https://img.example.com/bo.PNG"}]`)
		els := gqltest.Get(o, "attributes", 0, "elements")
		for _, want := range []struct {
			i     int
			field string
			value any
		}{{0, "value", "Line one\nLine two"}, {1, "value", "1"}, {2, "selectedValue", "m,s"}, {2, "selectedValueName", "Medium,Small"},
			{2, "isMulti", true}, {3, "url", "https://files.example.com/c.pdf"}, {4, "mimeType", "image/png"}, {4, "width", nil}} {
			if got := gqltest.Get(els, want.i, want.field); got != want.value {
				t.Errorf("customer element %d %s = %v, want %v", want.i, want.field, got, want.value)
			}
		}

		o = assign("Order", number, `dynamicAttributes: [{attributeTypeName: "ord_gift", attributeElementKey: "paper", attributeElementValue: "gold"}]`)
		if o["__typename"] != "DirectToConsumerOrder" || gqltest.Get(o, "attributes", 0, "elements", 1, "selectedValueName") != "Gold paper" ||
			gqltest.Get(o, "attributes", 0, "elements", 0, "value") != nil {
			t.Errorf("order attributes: %v", o)
		}
		o = assign("Product", 1, fmt.Sprintf(`mappedAttributes: [{attributeTypeName: "pr_material", attributeId: %d}]`, cotton))
		o = assign("Product", 1, fmt.Sprintf(`mappedAttributes: [{attributeTypeName: "pr_material", attributeId: %d}]`, wool))
		if list := gqltest.Get(o, "attributes").([]any); len(list) != 1 || gqltest.Get(list, 0, "name") != "Wool" || gqltest.Get(list, 0, "type", "isMapped") != true {
			t.Errorf("a type that is not multi holds one attribute: %v", list)
		}
		o = assign("ProductVariant", 1, fmt.Sprintf(`mappedAttributes: [{attributeTypeName: "var_tags", attributeId: %d}, {attributeTypeName: "var_tags", attributeId: %d}]`, eco, sale))
		if list := gqltest.Get(o, "attributes").([]any); len(list) != 2 {
			t.Errorf("a multi type holds both: %v", list)
		}

		// Read back through each object's own query.
		r := s.erp.MustOK(`query($hash: String!, $c: Int!) { order(id: $hash) { ...attrs } customer(id: $c) { ...attrs } product(id: 1) { ...attrs }
			productVariants(where: {id: [1]}) { ...attrs } }`+attributesFragment, map[string]any{"hash": hash, "c": customerID})
		for _, path := range [][]any{{"order"}, {"customer"}, {"product"}, {"productVariants", 0}} {
			if list, _ := gqltest.Get(r.Data, append(path, "attributes")...).([]any); len(list) == 0 {
				t.Errorf("%v has no attributes: %s", path, r.Raw)
			}
		}

		unassign := func(objectType string, id int64, input string) {
			t.Helper()
			r := s.erp.MustOK(fmt.Sprintf(`mutation { unassignAttributes(input: {objectType: %s, objectId: %d, %s}) {
				userErrors { message path } object { ...attrs } } }`, objectType, id, input)+attributesFragment, nil)
			if ue := r.UserErrors("unassignAttributes"); len(ue) != 0 {
				t.Fatalf("unassign from %s %d: %s", objectType, id, r.Raw)
			}
			if list := gqltest.Get(r.Data, "unassignAttributes", "object", "attributes").([]any); len(list) != 0 {
				t.Errorf("%s %d keeps %v", objectType, id, list)
			}
		}
		unassign("Customer", customerID, `dynamicAttributes: [{attributeTypeName: "cus_profile"}]`)
		unassign("Order", number, `dynamicAttributes: [{attributeTypeName: "ord_gift"}]`)
		unassign("Product", 1, fmt.Sprintf(`mappedAttributes: [{attributeTypeName: "pr_material", attributeId: %d}]`, wool))
		unassign("ProductVariant", 1, fmt.Sprintf(`mappedAttributes: [{attributeTypeName: "var_tags", attributeId: %d}, {attributeTypeName: "var_tags", attributeId: %d}]`, eco, sale))
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM attribute_value`) + dbtest.Int(t, d, `SELECT COUNT(*) FROM attribute_assignment`); n != 0 {
			t.Errorf("%d values and assignments are left", n)
		}

		// Every change is an UPDATED event of its object.
		for _, e := range []struct {
			typ, id string
			want    int64
		}{{"Customer", fmt.Sprint(customerID), 2}, {"Order", hash, 2}, {"Product", "1", 3}, {"ProductVariant", "1", 2}} {
			if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM event WHERE object_type = $1 AND object_id = $2 AND action = 'UPDATED' AND actor = 'erp'`, e.typ, e.id); n != e.want {
				t.Errorf("%s %s has %d UPDATED events, want %d", e.typ, e.id, n, e.want)
			}
		}
	})
}

// TestAttributeMistakesAreUserErrors: every kind of bad assignment is a
// userError naming the field, and none changes anything, even when other
// values in the same call were fine.
func TestAttributeMistakesAreUserErrors(t *testing.T) {
	t.Parallel()
	dbtest.EachFrom(t, demoShop, func(t *testing.T, d *db.DB) {
		s := startShop(t, d)
		loadAttributeTypes(t, d, seedAttributeTypes+"")
		loadAttributeTypes(t, d, `{"cus_locked": {"desc": "Locked", "group": "customer", "readonly": true, "elements": {"x": {"type": "input"}}},
			"cus_pick": {"desc": "Pick", "group": "customer", "elements": {"one": {"type": "select", "options": {"a": "A"}}, "pic": {"type": "image"}, "doc": {"type": "file"}}},
			"pr_mapped": {"desc": "Mapped", "group": "product", "mapped": true, "elements": {"x": {"type": "input"}}}}`)
		_, number := s.guestOrder("cy@example.com", "Cy", "Fo")
		customerID := dbtest.Int(t, d, `SELECT id FROM customer WHERE email = 'cy@example.com'`)
		good := `{attributeTypeName: "cus_extra", attributeElementKey: "id", attributeElementValue: "fine"}`
		tests := []struct {
			name, input string
			path        []string
		}{
			{"unknown type", `objectType: Customer, objectId: $C, dynamicAttributes: [` + good + `, {attributeTypeName: "nope", attributeElementKey: "id", attributeElementValue: "1"}]`,
				[]string{"input", "dynamicAttributes", "1", "attributeTypeName"}},
			{"unknown element", `objectType: Customer, objectId: $C, dynamicAttributes: [` + good + `, {attributeTypeName: "cus_extra", attributeElementKey: "nope", attributeElementValue: "1"}]`,
				[]string{"input", "dynamicAttributes", "1", "attributeElementKey"}},
			{"line break in INPUT", `objectType: Customer, objectId: $C, dynamicAttributes: [{attributeTypeName: "cus_extra", attributeElementKey: "id", attributeElementValue: "a\nb"}]`,
				[]string{"input", "dynamicAttributes", "0", "attributeElementValue"}},
			{"not an option", `objectType: Customer, objectId: $C, dynamicAttributes: [{attributeTypeName: "cus_pick", attributeElementKey: "one", attributeElementValue: "b"}]`,
				[]string{"input", "dynamicAttributes", "0", "attributeElementValue"}},
			{"image that is no image", `objectType: Customer, objectId: $C, dynamicAttributes: [{attributeTypeName: "cus_pick", attributeElementKey: "pic", attributeElementValue: "https://x.example/a.pdf"}]`,
				[]string{"input", "dynamicAttributes", "0", "attributeElementValue"}},
			{"file that is no URL", `objectType: Customer, objectId: $C, dynamicAttributes: [{attributeTypeName: "cus_pick", attributeElementKey: "doc", attributeElementValue: "c:/a.pdf"}]`,
				[]string{"input", "dynamicAttributes", "0", "attributeElementValue"}},
			{"boolean that is neither", `objectType: Order, objectId: $O, dynamicAttributes: [{attributeTypeName: "ord_gift", attributeElementKey: "wrap", attributeElementValue: "maybe"}]`,
				[]string{"input", "dynamicAttributes", "0", "attributeElementValue"}},
			{"type of another object type", `objectType: Order, objectId: $O, dynamicAttributes: [` + good + `]`,
				[]string{"input", "dynamicAttributes", "0", "attributeTypeName"}},
			{"read-only type", `objectType: Customer, objectId: $C, dynamicAttributes: [{attributeTypeName: "cus_locked", attributeElementKey: "x", attributeElementValue: "1"}]`,
				[]string{"input", "dynamicAttributes", "0", "attributeTypeName"}},
			{"mapped type as dynamic", `objectType: Product, objectId: 1, dynamicAttributes: [{attributeTypeName: "pr_mapped", attributeElementKey: "x", attributeElementValue: "1"}]`,
				[]string{"input", "dynamicAttributes", "0", "attributeTypeName"}},
			{"dynamic type as mapped", `objectType: Customer, objectId: $C, mappedAttributes: [{attributeTypeName: "cus_extra", attributeId: 1}]`,
				[]string{"input", "mappedAttributes", "0", "attributeTypeName"}},
			{"unknown mapped attribute", `objectType: Product, objectId: 1, mappedAttributes: [{attributeTypeName: "pr_mapped", attributeId: 999}]`,
				[]string{"input", "mappedAttributes", "0", "attributeId"}},
			{"unknown customer", `objectType: Customer, objectId: 999, dynamicAttributes: [` + good + `]`, []string{"input", "objectId"}},
			{"unknown order number", `objectType: Order, objectId: 999999, dynamicAttributes: [` + good + `]`, []string{"input", "objectId"}},
			{"nothing to assign", `objectType: Customer, objectId: $C`, []string{"input"}},
		}
		ids := strings.NewReplacer("$C", fmt.Sprint(customerID), "$O", fmt.Sprint(number))
		for _, tc := range tests {
			r := refused(t, s.erp, `mutation { assignAttributes(input: {`+ids.Replace(tc.input)+`}) { userErrors { message path } object { __typename } } }`, nil)
			ue := r.UserErrors("assignAttributes")
			if len(ue) != 1 || gqltest.Get(r.Data, "assignAttributes", "object") != nil {
				t.Errorf("%s: %s", tc.name, r.Raw)
				continue
			}
			if got := fmt.Sprint(ue[0]["path"]); got != fmt.Sprint(tc.path) || ue[0]["message"] == "" {
				t.Errorf("%s: path %s, want %v (%s)", tc.name, got, tc.path, ue[0]["message"])
			}
		}
		r := refused(t, s.erp, fmt.Sprintf(`mutation { unassignAttributes(input: {objectType: Customer, objectId: %d, dynamicAttributes: [{attributeTypeName: "cus_extra"}]}) {
			userErrors { message path } } }`, customerID), nil)
		if ue := r.UserErrors("unassignAttributes"); len(ue) != 1 {
			t.Errorf("unassigning what the customer does not carry: %s", r.Raw)
		}
		r = refused(t, s.erp, `mutation { createAttributeType(input: {name: "cus_extra", objectType: Customer, elements: [{key: "1x", kind: SELECT}]}) {
			userErrors { message path } } }`, nil)
		if ue := r.UserErrors("createAttributeType"); len(ue) != 3 {
			t.Errorf("createAttributeType with a taken name, a bad key and a SELECT without options: %s", r.Raw)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM attribute_value`); n != 0 {
			t.Errorf("refused assignments stored %d values", n)
		}
		if n := dbtest.Int(t, d, `SELECT COUNT(*) FROM event WHERE action = 'UPDATED' AND actor = 'erp'`); n != 0 {
			t.Errorf("refused assignments wrote %d events", n)
		}
		// A token without Customer.attributes:read sees the customer, not
		// its attributes.
		limited := s.erp.With(gqltest.NewToken(t, d, auth.NewToken{Name: "crm", Permissions: []string{"Customer:read"}}))
		r = limited.Do(`{ customers { email attributes { description } } }`, nil)
		if gqltest.Get(r.Data, "customers", 0, "email") != "cy@example.com" || gqltest.Get(r.Data, "customers", 0, "attributes") != nil || len(r.Errors) == 0 {
			t.Errorf("without Customer.attributes:read: %s", r.Raw)
		}
	})
}
