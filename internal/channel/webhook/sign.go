// Package webhook sends events to customers' HTTP endpoints as the Standard
// Webhooks specification (v1) describes: signed with HMAC-SHA256, only 2xx
// counts as delivered, and — because the URL is user-supplied — every
// connection is checked against private address ranges when it is made.
package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// SecretPrefix starts every endpoint secret, as in the specification.
const SecretPrefix = "whsec_"

// NewSecret returns a fresh secret: whsec_ + base64 of 32 random bytes
// (the specification allows 24-64).
func NewSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand never fails on supported platforms
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// ErrBadSecret means a secret is not whsec_ + base64 of 24-64 bytes.
var ErrBadSecret = errors.New("webhook secret must be whsec_ followed by base64 of 24-64 bytes")

func secretKey(secret string) ([]byte, error) {
	raw, ok := strings.CutPrefix(secret, SecretPrefix)
	if !ok {
		return nil, ErrBadSecret
	}
	key, err := base64.StdEncoding.DecodeString(raw)
	if err != nil || len(key) < 24 || len(key) > 64 {
		return nil, ErrBadSecret
	}
	return key, nil
}

// Sign returns the webhook-signature header value for a message: one
// "v1,<base64 HMAC-SHA256(id.timestamp.body)>" per secret, space-separated,
// so that during a rotation receivers holding either secret can verify.
func Sign(secrets []string, id string, timestamp int64, body []byte) (string, error) {
	var parts []string
	for _, s := range secrets {
		key, err := secretKey(s)
		if err != nil {
			return "", err
		}
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(id))
		mac.Write([]byte{'.'})
		mac.Write([]byte(strconv.FormatInt(timestamp, 10)))
		mac.Write([]byte{'.'})
		mac.Write(body)
		parts = append(parts, "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	return strings.Join(parts, " "), nil
}
