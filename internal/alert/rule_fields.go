package alert

import "slices"

// RuleField is a field rules can test and the operators that apply to it,
// exported so that forms offer what Compile accepts.
type RuleField struct {
	Name string
	Kind string // number, string, list
	Ops  []string
}

// RuleFields lists the named item and customer fields, sorted by name.
// Any customer.<attribute> is accepted as well (see RuleFieldKind).
func RuleFields() []RuleField {
	out := make([]RuleField, 0, len(fields))
	for name, kind := range fields {
		out = append(out, RuleField{Name: name, Kind: kind, Ops: slices.Clone(opsByKind[kind])})
	}
	slices.SortFunc(out, func(a, b RuleField) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return out
}

// RuleFieldKind returns the value kind of a field name (number, string,
// list, or any for a free customer attribute) and whether rules know it.
func RuleFieldKind(name string) (string, bool) { return fieldKind(name) }

// RuleOperators lists every operator once, in the order forms show them.
func RuleOperators() []string { return slices.Clone(opsByKind[kindAny]) }

// NotifyChannels lists where a notify action can send.
func NotifyChannels() []string { return slices.Clone(notifyChannels) }

// OwnerStrategies lists how an opened case finds its owner ("" for none).
func OwnerStrategies() []string { return slices.Clone(ownerStrategies) }
