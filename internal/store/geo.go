package store

import (
	"context"

	"strings"

	"seam/internal/db"
)

// Country is an ISO 3166 country.
type Country struct {
	ID   int64
	Code string
	Name string
	IsEU bool
}

// State is a state or province of a country.
type State struct {
	ID        int64
	CountryID int64
	Code      string
	Name      string
}

// CountryFilter narrows a country list.
type CountryFilter struct {
	IDs   []int64
	Codes []string
	Name  *StringMatch
}

const countrySelect = `SELECT id, code, name, is_eu FROM country`

func scanCountry(s scanner) (Country, error) {
	var c Country
	err := s.Scan(&c.ID, &c.Code, &c.Name, &c.IsEU)
	return c, err
}

// ListCountries lists countries.
func ListCountries(ctx context.Context, q db.Q, f CountryFilter, sorts []Sort, p Page) ([]Country, error) {
	var w where
	in(&w, "id", f.IDs)
	in(&w, "code", f.Codes)
	f.Name.apply(&w, "name")
	return list(ctx, q, scanCountry, countrySelect, &w, orderBy(sorts, map[string]string{"id": "id", "name": "name", "code": "code"}, "id"), p)
}

// CountriesByIDs loads countries by id.
func CountriesByIDs(ctx context.Context, q db.Q, ids []int64) ([]Country, error) {
	return byIDs(ctx, q, scanCountry, countrySelect, "id", ids, "")
}

// CountryByCode finds a country by its ISO code (any case).
func CountryByCode(ctx context.Context, q db.Q, code string) (Country, error) {
	return one(ctx, q, scanCountry, countrySelect+` WHERE code = $1`, strings.ToUpper(code))
}

const stateSelect = `SELECT id, country_id, code, name FROM state`

func scanState(s scanner) (State, error) {
	var st State
	err := s.Scan(&st.ID, &st.CountryID, &st.Code, &st.Name)
	return st, err
}

// StatesByIDs loads states by id.
func StatesByIDs(ctx context.Context, q db.Q, ids []int64) ([]State, error) {
	return byIDs(ctx, q, scanState, stateSelect, "id", ids, "")
}

// StatesByCountryIDs loads the states of countries, ordered by id.
func StatesByCountryIDs(ctx context.Context, q db.Q, ids []int64) ([]State, error) {
	return byIDs(ctx, q, scanState, stateSelect, "country_id", ids, " ORDER BY id")
}

// FindState finds a state of a country by code or name, ignoring case.
func FindState(ctx context.Context, q db.Q, countryID int64, codeOrName string) (State, error) {
	return one(ctx, q, scanState, stateSelect+` WHERE country_id = $1 AND (LOWER(code) = LOWER($2) OR LOWER(name) = LOWER($2))`, countryID, codeOrName)
}
