#!/usr/bin/env bash
# A private CA and a server certificate for the stack's HTTPS on this machine (run.sh calls it with VOD_TLS=1).
#
# Usage: tls-cert.sh [DIR]   (default run/tls)
#
# Writes, once, and reuses after:
#   DIR/ca.pem, DIR/ca.key          the CA: EC P-256, 10 years, CA:TRUE (pathlen 0), keyUsage keyCertSign + cRLSign
#   DIR/server.pem, DIR/server.key  the server certificate (leaf only): EC P-256, 825 days, serverAuth, SANs
#                                   IP:127.0.0.1 and DNS:localhost, signed by that CA
# Keys are PKCS#8 PEM, unencrypted, mode 600. The CA is made again only when it is missing, expired, or its key does
# not match it (every client that trusted the old one must then trust the new one). The server certificate is issued
# again (with a new key) when it is missing, expires within 7 days, does not cover 127.0.0.1 and localhost, does not
# match its key or was not signed by the current CA. Files are replaced by rename, so a running service that watches
# them never reads half a file. Says on stdout what it created and what it reused.
set -euo pipefail
dir=${1:-run/tls}
command -v openssl >/dev/null || { echo "error: openssl is needed for VOD_TLS=1 (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$dir"
ca=$dir/ca.pem ca_key=$dir/ca.key cert=$dir/server.pem key=$dir/server.key
work=$(mktemp -d "$dir/.new.XXXXXX")
trap 'rm -rf "$work"' EXIT

say() { echo "==> tls: $*"; }

cat >"$work/openssl.cnf" <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
CN = placeholder
[ca_ext]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, DNS:localhost
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
CNF

new_key() { # FILE: a fresh EC P-256 key, PKCS#8 PEM, mode 600
  (umask 077; openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null)
}
matches() { # CERT KEY: whether the key is the certificate's
  [ "$(openssl x509 -in "$1" -noout -pubkey 2>/dev/null)" = "$(openssl pkey -in "$2" -pubout 2>/dev/null)" ] \
    && [ -n "$(openssl pkey -in "$2" -pubout 2>/dev/null)" ]
}
serial() { echo "0x$(openssl rand -hex 16)"; }
subject_host=$(hostname -s 2>/dev/null || echo localhost)

# The CA.
ca_problem=
if [ ! -s "$ca" ] || [ ! -s "$ca_key" ]; then ca_problem="none was there"
elif ! openssl x509 -in "$ca" -noout -checkend 0 >/dev/null 2>&1; then ca_problem="the old one had expired or could not be read"
elif ! matches "$ca" "$ca_key"; then ca_problem="the old one did not match its key"
fi
if [ -n "$ca_problem" ]; then
  new_key "$work/ca.key"
  openssl req -x509 -new -config "$work/openssl.cnf" -extensions ca_ext -key "$work/ca.key" -sha256 -days 3650 \
    -set_serial "$(serial)" -subj "/O=VOD development/CN=VOD development CA ($subject_host)" -out "$work/ca.pem" 2>/dev/null
  chmod 644 "$work/ca.pem"
  mv -f "$work/ca.key" "$ca_key"
  mv -f "$work/ca.pem" "$ca"
  say "created a private CA ($ca_problem): $ca (key $ca_key), valid until $(openssl x509 -in "$ca" -noout -enddate | cut -d= -f2)"
else
  chmod 600 "$ca_key"
  say "reusing the private CA $ca (valid until $(openssl x509 -in "$ca" -noout -enddate | cut -d= -f2))"
fi

# The server certificate.
cert_problem=
if [ ! -s "$cert" ] || [ ! -s "$key" ]; then cert_problem="none was there"
elif ! openssl x509 -in "$cert" -noout -checkend $((7 * 86400)) >/dev/null 2>&1; then cert_problem="the old one expires within 7 days or could not be read"
else
  sans=$(openssl x509 -in "$cert" -noout -ext subjectAltName 2>/dev/null | tr -d ' ' | tr ',' '\n')
  if ! grep -qx 'IPAddress:127.0.0.1' <<<"$sans" || ! grep -qx 'DNS:localhost' <<<"$sans"; then
    cert_problem="the old one did not name both 127.0.0.1 and localhost"
  elif ! matches "$cert" "$key"; then cert_problem="the old one did not match its key"
  elif ! openssl verify -CAfile "$ca" -purpose sslserver "$cert" >/dev/null 2>&1; then cert_problem="the old one was not signed by this CA"
  fi
fi
if [ -n "$cert_problem" ]; then
  new_key "$work/server.key"
  openssl req -new -config "$work/openssl.cnf" -key "$work/server.key" -subj "/O=VOD development/CN=localhost" \
    -out "$work/server.csr" 2>/dev/null
  openssl x509 -req -in "$work/server.csr" -CA "$ca" -CAkey "$ca_key" -set_serial "$(serial)" -sha256 -days 825 \
    -extfile "$work/openssl.cnf" -extensions server_ext -out "$work/server.pem" 2>/dev/null
  openssl verify -CAfile "$ca" -purpose sslserver "$work/server.pem" >/dev/null
  chmod 644 "$work/server.pem"
  mv -f "$work/server.key" "$key"
  mv -f "$work/server.pem" "$cert"
  say "issued a server certificate for 127.0.0.1 and localhost ($cert_problem): $cert (key $key), valid until $(openssl x509 -in "$cert" -noout -enddate | cut -d= -f2)"
else
  chmod 600 "$key"
  say "reusing the server certificate $cert (127.0.0.1, localhost; valid until $(openssl x509 -in "$cert" -noout -enddate | cut -d= -f2))"
fi
