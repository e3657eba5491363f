package secret

import "testing"

func TestRedactReplacesSecretsAndKeepsTheRest(t *testing.T) {
	t.Parallel()
	long := "Qx7vT1mZ0pLk9sR2aB3cD4eF5gH6iJ7k"
	doc := `{"data":{"code":"ABC","name":"ABC shop","url":"https://s.example/sel/` + long + `","n":1.50,"q":"say \"ABC\""}}`
	want := `{"data":{"code":"` + ShownOnce + `","name":"ABC shop","url":"https://s.example/sel/` + ShownOnce + `","n":1.50,"q":"say \"ABC\""}}`
	if got := string(Redact([]byte(doc), []string{"ABC", long, ""})); got != want {
		t.Errorf("Redact =\n%s\nwant\n%s", got, want)
	}
	if got := string(Redact([]byte(doc), nil)); got != doc {
		t.Errorf("Redact without secrets changed the document: %s", got)
	}
}
