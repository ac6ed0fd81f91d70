package codelist_test

import (
	"fmt"

	"github.com/fieldscreen/fieldscreen/forms/codelist"
)

func Example() {
	if s, ok := codelist.State(codelist.Stateless); ok {
		fmt.Println(s.Code, s.Name("nl"))
	}
	if l, ok := codelist.Language("tir"); ok {
		fmt.Println(l.Name("en"), l.Name("nl"), l.Name("self"))
	}
	// Output:
	// XXA Staatloze (Verdrag van 1954)
	// Tigrinya Tigrinya ትግርኛ
}
