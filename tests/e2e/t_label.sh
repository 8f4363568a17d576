#!/usr/bin/env bash
# `iotrust label` end to end: keygen, sign the fixture assessment, verify; Node's own
# crypto.verify checks the JWS with the public key from the JWKS (and recomputes the RFC 7638
# kid), a one-byte change fails in both; zbarimg reads the PNG back to exactly the URL or JWS;
# the SVG is well-formed XML; refusals, expiry, unknown keys and revocation give their exits.
source "$(dirname "$0")/lib.sh"
for tool in node zbarimg xmllint jq; do
	command -v "$tool" >/dev/null || { echo "skip: $tool missing (scripts/deps.sh check)"; exit $SKIP; }
done
DATA=$SRCDIR/tests/data/label
cd "$WORK"

# node_verify JWS_FILE JWKS_FILE: exit 0 when Node's crypto accepts the signature
node_verify() {
	node -e '
		const crypto = require("crypto"), fs = require("fs");
		const jws = fs.readFileSync(process.argv[1], "utf8").trim();
		const [h, p, s] = jws.split(".");
		const jwk = JSON.parse(fs.readFileSync(process.argv[2], "utf8")).keys[0];
		const key = crypto.createPublicKey({key: {kty: jwk.kty, crv: jwk.crv, x: jwk.x}, format: "jwk"});
		const header = JSON.parse(Buffer.from(h, "base64url"));
		if (header.alg !== "EdDSA" || header.kid !== jwk.kid) process.exit(2);
		process.exit(crypto.verify(null, Buffer.from(h + "." + p), key, Buffer.from(s, "base64url")) ? 0 : 1);
	' "$1" "$2"
}

# flip FILE OFFSET: replace the base64url character at OFFSET by another one
flip() {
	python3 - "$1" "$2" <<'PY'
import sys
p, i = sys.argv[1], int(sys.argv[2])
b = bytearray(open(p, 'rb').read())
b[i] = ord('A') if b[i] != ord('A') else ord('B')
open(p, 'wb').write(bytes(b))
PY
}

# keys
expect_exit 0 "$IOTRUST" label keygen -o issuer && pass "keygen" || fail "keygen"
[ "$(stat -c %a issuer.key)" = 600 ] && pass "issuer.key is mode 0600" || fail "issuer.key mode $(stat -c %a issuer.key)"
grep -q -- "-----BEGIN PRIVATE KEY-----" issuer.key && pass "unencrypted key is PEM PKCS#8" || fail "issuer.key is not PEM"
openssl pkey -in issuer.key -noout 2>/dev/null && pass "openssl reads issuer.key" || fail "openssl cannot read issuer.key"
kid=$(jq -r '.keys[0].kid' issuer.jwks)
nodekid=$(node -e '
	const k = JSON.parse(require("fs").readFileSync(process.argv[1])).keys[0];
	const c = JSON.stringify({crv: k.crv, kty: k.kty, x: k.x});
	console.log(require("crypto").createHash("sha256").update(c).digest("base64url"));' issuer.jwks)
[ "$kid" = "$nodekid" ] && pass "kid is the RFC 7638 thumbprint (recomputed by Node)" || fail "kid $kid, Node computes $nodekid"
expect_exit 3 "$IOTRUST" label keygen -o issuer && pass "keygen never overwrites a key" || fail "keygen never overwrites a key"

# sign and verify
expect_exit 0 "$IOTRUST" label sign --assessment "$DATA/assessment.json" --key issuer.key -o signed &&
	pass "sign the fixture" || fail "sign the fixture"
for f in label.jws label.json label.svg label.png; do
	[ -s "signed/$f" ] || fail "signed/$f missing"
done
expect_exit 0 "$IOTRUST" label verify signed/label.jws --jwks issuer.jwks && pass "verify: valid" || fail "verify: valid"
grep -q "^VALID label" "$WORK/out" || fail "verify did not print VALID"
grep -q "support_until *2029-12-31" "$WORK/out" && pass "verify prints the fields" || fail "verify output lacks support_until"
"$IOTRUST" label verify signed/label.jws --jwks issuer.jwks --json >v.json
digest=$(jq -r .digest v.json)
[ "$(jq -r .valid v.json)" = true ] && [ "$(jq -r .label.vendor v.json)" = Acme ] &&
	pass "verify --json" || fail "verify --json: $(cat v.json)"
payload=$(cut -d. -f2 signed/label.jws | node -e 'process.stdout.write(Buffer.from(require("fs").readFileSync(0, "utf8").trim(), "base64url"))')
[ "$(jq -S . <<<"$payload")" = "$(jq -S . signed/label.json)" ] && pass "label.json is the JWS payload" || fail "label.json differs from the payload"

# Node's crypto as the independent verifier
node_verify signed/label.jws issuer.jwks && pass "Node crypto.verify accepts label.jws" || fail "Node rejects label.jws"
h_len=$(cut -d. -f1 signed/label.jws | tr -d '\n' | wc -c)
p_len=$(cut -d. -f2 signed/label.jws | tr -d '\n' | wc -c)
cp signed/label.jws bad-payload.jws && flip bad-payload.jws $((h_len + 1 + p_len / 2))
cp signed/label.jws bad-sig.jws && flip bad-sig.jws $((h_len + 1 + p_len + 1 + 20))
for bad in bad-payload.jws bad-sig.jws; do
	cmp -s "$bad" signed/label.jws && fail "$bad is unchanged"
	rc=0; node_verify "$bad" issuer.jwks || rc=$?
	[ "$rc" = 1 ] && pass "Node rejects $bad" || fail "Node: exit $rc for $bad"
	expect_exit 1 "$IOTRUST" label verify "$bad" --jwks issuer.jwks &&
		grep -q "bad signature" "$WORK/out" && pass "iotrust rejects $bad: bad signature" || fail "iotrust rejects"
done

# the QR code
qr=$(zbarimg --raw -q signed/label.png 2>/dev/null)
[ "$qr" = "https://labels.iotrust.dev/l/$digest" ] && pass "zbarimg reads the URL: $qr" || fail "zbarimg read '$qr'"
expect_exit 3 "$IOTRUST" label verify signed/label.png --jwks issuer.jwks &&
	grep -q "give the label it points to" "$WORK/err" && pass "a URL QR alone is not a label (exit 3)" || fail "a URL QR alone is not a label (exit 3)"
expect_exit 0 "$IOTRUST" label verify signed/label.png --jwks issuer.jwks --label signed/label.jws &&
	pass "verify label.png --label label.jws" || fail "verify label.png --label label.jws"
expect_exit 3 "$IOTRUST" label verify signed/label.png --jwks issuer.jwks --label bad-sig.jws &&
	pass "--label whose digest differs from the QR's URL: exit 3" || fail "--label whose digest differs from the QR's URL: exit 3"
expect_exit 0 "$IOTRUST" label sign --assessment "$DATA/assessment.json" --key issuer.key \
	--qr-embed --url-base https://example.org -o embed && pass "sign --qr-embed" || fail "sign --qr-embed"
qr=$(zbarimg --raw -q embed/label.png 2>/dev/null)
[ "$qr" = "$(tr -d '\n' <embed/label.jws)" ] && pass "zbarimg reads the whole JWS (${#qr} bytes)" || { fail "zbarimg read ${#qr} bytes, not the JWS: ${qr:0:80}"; cp embed/label.png embed/label.jws /tmp/ || true; }
expect_exit 0 "$IOTRUST" label verify embed/label.png --jwks issuer.jwks && pass "verify QR.png with the embedded JWS" || fail "verify QR.png with the embedded JWS"

# the SVG
xmllint --noout signed/label.svg && pass "label.svg is well-formed XML" || fail "label.svg is not well-formed"
grep -q "Security updates until 31 December 2029" signed/label.svg && grep -q "Acme Cam" signed/label.svg &&
	grep -q "ETSI EN 303 645" signed/label.svg && pass "label.svg shows product, support, standard" ||
	fail "label.svg lacks a field"
[ "$(grep -c '<rect x="[0-9]*" y="[0-9]*" width="[0-9]*" height="1"/>' signed/label.svg)" -gt 50 ] &&
	pass "label.svg draws the QR as rects" || fail "label.svg has no QR rects"

# refusals and bad input
expect_exit 1 "$IOTRUST" label sign --assessment "$DATA/assessment-failed.json" --key issuer.key -o failed &&
	grep -q "3 mandatory provisions failed" "$WORK/err" && pass "refuses to sign when mandatory provisions FAIL (exit 1)" || fail "refuses to sign when mandatory provisions FAIL (exit 1)"
[ -e failed/label.jws ] && fail "a refused label was written"
expect_exit 0 "$IOTRUST" label sign --assessment "$DATA/assessment-failed.json" --key issuer.key \
	--allow-fail -o failed && [ "$(jq .mandatory_failed failed/label.json)" = 3 ] &&
	grep -q "3 mandatory provisions failed" failed/label.svg && pass "--allow-fail: the label says so" || fail "--allow-fail: the label says so"
expect_exit 3 "$IOTRUST" label sign --assessment "$DATA/assessment-malformed.json" --key issuer.key -o m &&
	grep -q '\$.product.vendor' "$WORK/err" && pass "malformed assessment: exit 3 naming the JSON path" || fail "malformed assessment: exit 3 naming the JSON path"
echo "not a jws" >junk.jws
expect_exit 3 "$IOTRUST" label verify junk.jws --jwks issuer.jwks && pass "malformed label: exit 3" || fail "malformed label: exit 3"

# validity
expect_exit 1 "$IOTRUST" label verify signed/label.jws --jwks issuer.jwks --at 2030-01-01 &&
	grep -q "expired, support period over" "$WORK/out" && pass "after the support period: exit 1" || fail "after the support period: exit 1"
expect_exit 1 "$IOTRUST" label verify signed/label.jws --jwks issuer.jwks --at 2020-01-01 &&
	grep -q "not yet valid" "$WORK/out" && pass "before issue: not yet valid" || fail "before issue: not yet valid"
"$IOTRUST" label keygen -o other >/dev/null
expect_exit 1 "$IOTRUST" label verify signed/label.jws --jwks other.jwks &&
	grep -q "unknown key" "$WORK/out" && pass "another issuer's JWKS: unknown key" || fail "another issuer's JWKS: unknown key"

# revocation
expect_exit 0 "$IOTRUST" label revoke "$digest" --key issuer.key --list revoked.json --reason "key compromise" &&
	pass "revoke" || fail "revoke"
expect_exit 1 "$IOTRUST" label verify signed/label.jws --jwks issuer.jwks --revoked revoked.json &&
	grep -q "revoked" "$WORK/out" && grep -q "key compromise" "$WORK/out" && pass "verify: revoked" || fail "verify: revoked"
embed_digest=$("$IOTRUST" label verify embed/label.jws --jwks issuer.jwks --json | jq -r .digest)
expect_exit 0 "$IOTRUST" label revoke "$embed_digest" --key issuer.key --list revoked.json &&
	[ "$(jq '.list.entries | length' revoked.json)" = 2 ] &&
	[ "$(jq -r '.list.entries[0].digest' revoked.json)" = "$digest" ] && pass "revoke appends" || fail "revoke appends"
expect_exit 0 "$IOTRUST" label verify failed/label.jws --jwks issuer.jwks --revoked revoked.json &&
	pass "a label not in the list stays valid" || fail "a label not in the list stays valid"
expect_exit 3 "$IOTRUST" label revoke "$digest" --key other.key --list revoked.json &&
	pass "another key cannot re-sign the list" || fail "another key cannot re-sign the list"
sed 's/key compromise/key c0mpromise/' revoked.json >tampered.json
expect_exit 3 "$IOTRUST" label verify signed/label.jws --jwks issuer.jwks --revoked tampered.json &&
	grep -q "bad signature" "$WORK/err" && pass "a tampered revocation list: exit 3" || fail "a tampered revocation list: exit 3"

dash=-AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
expect_exit 0 "$IOTRUST" label revoke "$dash" --key issuer.key --list dash.json &&
	[ "$(jq -r '.list.entries[0].digest' dash.json)" = "$dash" ] &&
	pass "a digest that starts with '-' is taken as DIGEST" || fail "digest starting with '-'"

# passphrase-protected key
printf 'correct horse battery staple\n' >pass.txt
printf 'wrong\n' >wrong.txt
expect_exit 0 "$IOTRUST" label keygen -o enc --passphrase-file pass.txt &&
	grep -q "BEGIN IOTRUST ENCRYPTED PRIVATE KEY" enc.key && pass "keygen --passphrase-file" || fail "keygen --passphrase-file"
expect_exit 0 "$IOTRUST" label sign --assessment "$DATA/assessment.json" --key enc.key \
	--passphrase-file pass.txt -o enc-out && node_verify enc-out/label.jws enc.jwks &&
	pass "sign with the encrypted key; Node verifies" || fail "sign with the encrypted key; Node verifies"
expect_exit 3 "$IOTRUST" label sign --assessment "$DATA/assessment.json" --key enc.key \
	--passphrase-file wrong.txt -o enc-out && grep -q "wrong passphrase" "$WORK/err" &&
	pass "wrong passphrase: exit 3" || fail "wrong passphrase: exit 3"
finish
