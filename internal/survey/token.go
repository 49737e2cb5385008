package survey

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"strconv"
)

// Token kinds: what the id inside a token names.
const (
	tokenInvitation byte = 'i' // one invitation: one customer, one channel, one answer
	tokenSurvey     byte = 's' // an anonymous link to a survey
)

// ErrBadToken means a token is malformed or its signature does not match.
var ErrBadToken = errors.New("invalid survey link")

// macLen is the length kept of the HMAC-SHA256: 128 bits is far beyond
// guessing and keeps links short enough for an SMS.
const macLen = 16

// Signer makes and checks the tokens in survey links. Each workspace signs
// with its own key derived from the server secret, so a leak of one key
// (or a bug in one tenant's data) cannot forge links of another.
type Signer struct{ secret []byte }

// NewSigner returns a signer; secret must be at least 16 bytes.
func NewSigner(secret []byte) (*Signer, error) {
	if len(secret) < 16 {
		return nil, errors.New("survey token secret must be at least 16 bytes")
	}
	return &Signer{secret: append([]byte(nil), secret...)}, nil
}

func (s *Signer) key(ws int64) []byte {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte("vox/survey-token/" + strconv.FormatInt(ws, 10)))
	return m.Sum(nil)
}

// binding is everything a token is bound to. Only kind, workspace and id
// travel in the token; the rest is read from the database and must match.
type binding struct {
	kind     byte
	ws, id   int64
	survey   int64
	customer int64
	channel  string
	expires  int64
}

func (s *Signer) mac(b binding) []byte {
	m := hmac.New(sha256.New, s.key(b.ws))
	var buf []byte
	buf = append(buf, b.kind)
	for _, v := range []int64{b.ws, b.id, b.survey, b.customer, b.expires} {
		buf = binary.AppendVarint(buf, v)
	}
	buf = append(buf, b.channel...)
	m.Write(buf)
	return m.Sum(nil)[:macLen]
}

func (s *Signer) sign(b binding) string {
	buf := []byte{b.kind}
	buf = binary.AppendUvarint(buf, uint64(b.ws))
	buf = binary.AppendUvarint(buf, uint64(b.id))
	buf = append(buf, s.mac(b)...)
	return base64.RawURLEncoding.EncodeToString(buf)
}

// parsed is a decoded but not yet verified token.
type parsed struct {
	kind   byte
	ws, id int64
	mac    []byte
}

func parseToken(tok string) (parsed, error) {
	var p parsed
	if len(tok) > 64 {
		return p, ErrBadToken
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(raw) < 1+2+macLen {
		return p, ErrBadToken
	}
	p.kind = raw[0]
	rest := raw[1:]
	ws, n := binary.Uvarint(rest)
	if n <= 0 {
		return p, ErrBadToken
	}
	rest = rest[n:]
	id, n := binary.Uvarint(rest)
	if n <= 0 || len(rest[n:]) != macLen || ws == 0 || id == 0 || ws > 1<<62 || id > 1<<62 {
		return p, ErrBadToken
	}
	p.ws, p.id, p.mac = int64(ws), int64(id), rest[n:]
	if p.kind != tokenInvitation && p.kind != tokenSurvey {
		return p, ErrBadToken
	}
	return p, nil
}

// verify checks p's signature against the binding in constant time.
func (s *Signer) verify(p parsed, b binding) bool {
	return hmac.Equal(p.mac, s.mac(b))
}
