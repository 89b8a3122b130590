package simazure

import (
	"fmt"
	"slices"
	"strings"
)

// graphQuery is the subset of the Kusto query language the simulator runs against its
// Resource Graph: the Resources table, `where` clauses on type and tags (in, in~, ==, =~,
// joined by `and` or by further `where` clauses) and one `project` of known columns:
//
//	Resources | where type in~ ('microsoft.compute/virtualmachines') | where tags['team'] in~ ('checkout') | project id, name, type
//
// Anything else is rejected as Resource Graph rejects a query it cannot parse.
type graphQuery struct {
	conds []graphCond
	// project lists the output columns; nil keeps every column.
	project []string
}

// graphCond is one condition: the resource's type, or the value of one tag, is one of
// values (case-insensitively when fold is set).
type graphCond struct {
	field  string // "type" or "tags"
	tag    string
	values []string
	fold   bool
}

// graphColumns are the Resources table columns the simulator fills.
var graphColumns = []string{
	"id", "name", "type", "tenantId", "kind", "location", "resourceGroup", "subscriptionId",
	"managedBy", "sku", "plan", "properties", "tags", "identity", "zones", "extendedLocation",
}

func (q graphQuery) match(typ string, tags map[string]string) bool {
	for _, c := range q.conds {
		v, ok := typ, true
		if c.field == "tags" {
			v, ok = tags[c.tag]
		}
		if !ok || !slices.ContainsFunc(c.values, func(x string) bool { return x == v || c.fold && strings.EqualFold(x, v) }) {
			return false
		}
	}
	return true
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokIdent
	tokString
	tokPunct // | ( ) , [ ] . and any other single character
	tokOp    // in in~ == =~
)

type token struct {
	kind tokKind
	text string
	pos  int
}

func lexGraph(q string) ([]token, error) {
	var out []token
	for i := 0; i < len(q); {
		ch := q[i]
		switch {
		case ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r':
			i++
		case isIdentStart(ch):
			j := i + 1
			for j < len(q) && (isIdentStart(q[j]) || q[j] >= '0' && q[j] <= '9') {
				j++
			}
			word := q[i:j]
			if word == "in" {
				if j < len(q) && q[j] == '~' {
					j++
				}
				out = append(out, token{tokOp, q[i:j], i})
			} else {
				out = append(out, token{tokIdent, word, i})
			}
			i = j
		case ch == '\'' || ch == '"':
			var b strings.Builder
			j := i + 1
			for ; j < len(q) && q[j] != ch; j++ {
				if q[j] == '\\' && j+1 < len(q) {
					j++
				}
				b.WriteByte(q[j])
			}
			if j >= len(q) {
				return nil, fmt.Errorf("unterminated string literal at position %d", i)
			}
			out = append(out, token{tokString, b.String(), i})
			i = j + 1
		case ch == '=' && i+1 < len(q) && (q[i+1] == '=' || q[i+1] == '~'):
			out = append(out, token{tokOp, q[i : i+2], i})
			i += 2
		default:
			// Punctuation, and any other character, which the parser then rejects where it
			// stands, so the error names the unsupported construct rather than a character.
			out = append(out, token{tokPunct, string(ch), i})
			i++
		}
	}
	return append(out, token{tokEOF, "", len(q)}), nil
}

func isIdentStart(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

type graphParser struct {
	toks []token
	i    int
}

func (p *graphParser) peek() token { return p.toks[p.i] }

func (p *graphParser) next() token {
	t := p.toks[p.i]
	if t.kind != tokEOF {
		p.i++
	}
	return t
}

func (p *graphParser) expect(kind tokKind, text string) error {
	t := p.next()
	if t.kind != kind || text != "" && t.text != text {
		return fmt.Errorf("expected %s at position %d, found %s", describe(kind, text), t.pos, quoteTok(t))
	}
	return nil
}

func describe(kind tokKind, text string) string {
	if text != "" {
		return fmt.Sprintf("%q", text)
	}
	return map[tokKind]string{tokIdent: "a name", tokString: "a string literal", tokOp: "an operator"}[kind]
}

func quoteTok(t token) string {
	if t.kind == tokEOF {
		return "the end of the query"
	}
	return fmt.Sprintf("%q", t.text)
}

// parseGraphQuery parses a query of the supported form.
func parseGraphQuery(q string) (graphQuery, error) {
	toks, err := lexGraph(q)
	if err != nil {
		return graphQuery{}, err
	}
	p := &graphParser{toks: toks}
	if t := p.next(); t.kind != tokIdent || !strings.EqualFold(t.text, "resources") {
		return graphQuery{}, fmt.Errorf("the query must start with the Resources table, found %s", quoteTok(t))
	}
	var out graphQuery
	for p.peek().kind != tokEOF {
		if err := p.expect(tokPunct, "|"); err != nil {
			return graphQuery{}, err
		}
		switch t := p.next(); {
		case t.kind == tokIdent && t.text == "where":
			conds, err := p.conditions()
			if err != nil {
				return graphQuery{}, err
			}
			out.conds = append(out.conds, conds...)
		case t.kind == tokIdent && t.text == "project" && out.project == nil:
			cols, err := p.columns()
			if err != nil {
				return graphQuery{}, err
			}
			out.project = cols
		default:
			return graphQuery{}, fmt.Errorf("operator %s at position %d is not simulated: only where (on type and tags) and one project are", quoteTok(t), t.pos)
		}
	}
	return out, nil
}

func (p *graphParser) conditions() ([]graphCond, error) {
	var out []graphCond
	for {
		c, err := p.condition()
		if err != nil {
			return nil, err
		}
		out = append(out, c)
		if t := p.peek(); t.kind != tokIdent || t.text != "and" {
			return out, nil
		}
		p.next()
	}
}

func (p *graphParser) condition() (graphCond, error) {
	var c graphCond
	switch t := p.next(); {
	case t.kind == tokIdent && t.text == "type":
		c.field = "type"
	case t.kind == tokIdent && t.text == "tags":
		c.field = "tags"
		key, err := p.tagKey()
		if err != nil {
			return c, err
		}
		c.tag = key
	default:
		return c, fmt.Errorf("condition on %s at position %d is not simulated: only type and tags['key'] are", quoteTok(t), t.pos)
	}
	op := p.next()
	if op.kind != tokOp {
		return c, fmt.Errorf("expected in, in~, == or =~ at position %d, found %s", op.pos, quoteTok(op))
	}
	c.fold = strings.HasSuffix(op.text, "~")
	if op.text == "==" || op.text == "=~" {
		t := p.next()
		if t.kind != tokString {
			return c, fmt.Errorf("expected a string literal at position %d, found %s", t.pos, quoteTok(t))
		}
		c.values = []string{t.text}
		return c, nil
	}
	if err := p.expect(tokPunct, "("); err != nil {
		return c, err
	}
	for {
		t := p.next()
		if t.kind != tokString {
			return c, fmt.Errorf("expected a string literal at position %d, found %s", t.pos, quoteTok(t))
		}
		c.values = append(c.values, t.text)
		if sep := p.next(); sep.text == ")" && sep.kind == tokPunct {
			return c, nil
		} else if sep.kind != tokPunct || sep.text != "," {
			return c, fmt.Errorf("expected \",\" or \")\" at position %d, found %s", sep.pos, quoteTok(sep))
		}
	}
}

// tagKey parses ['key'] or .key after tags.
func (p *graphParser) tagKey() (string, error) {
	switch t := p.next(); {
	case t.kind == tokPunct && t.text == "[":
		k := p.next()
		if k.kind != tokString {
			return "", fmt.Errorf("expected a string literal at position %d, found %s", k.pos, quoteTok(k))
		}
		return k.text, p.expect(tokPunct, "]")
	case t.kind == tokPunct && t.text == ".":
		k := p.next()
		if k.kind != tokIdent {
			return "", fmt.Errorf("expected a tag name at position %d, found %s", k.pos, quoteTok(k))
		}
		return k.text, nil
	default:
		return "", fmt.Errorf("expected [ or . after tags at position %d, found %s", t.pos, quoteTok(t))
	}
}

func (p *graphParser) columns() ([]string, error) {
	var out []string
	for {
		t := p.next()
		if t.kind != tokIdent || !slices.Contains(graphColumns, t.text) {
			return nil, fmt.Errorf("column %s at position %d is not simulated: the Resources columns are %s", quoteTok(t), t.pos, strings.Join(graphColumns, ", "))
		}
		out = append(out, t.text)
		if p.peek().kind != tokPunct || p.peek().text != "," {
			return out, nil
		}
		p.next()
	}
}
