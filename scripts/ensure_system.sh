#!/usr/bin/env bash
# Make sure the system programs the test run needs are present: PostgreSQL, Chromium, Redis,
# npm, nginx and openssl (the production stack test), and slapd with ldap-utils (the
# single-sign-on tests start their own LDAP server); and what building python-ldap needs
# (OpenLDAP and SASL headers, a C compiler). `ensure_system.sh build` checks only the build
# packages (make install runs it).
# As root on Debian they are installed from Debian's packages; otherwise we say what is missing.
set -euo pipefail

missing=()
[ -f /usr/include/ldap.h ] || missing+=(libldap2-dev)
[ -f /usr/include/sasl/sasl.h ] || missing+=(libsasl2-dev)
command -v gcc >/dev/null 2>&1 || missing+=(build-essential)
if [ "${1:-}" != "build" ]; then
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] || missing+=(postgresql)
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  [ -x /usr/sbin/slapd ] || missing+=(slapd)
  command -v ldapsearch >/dev/null 2>&1 || missing+=(ldap-utils)
  # The TLS proxy of the production stack test (tests/deploy/), the same config as compose's.
  [ -x /usr/sbin/nginx ] || command -v nginx >/dev/null 2>&1 || missing+=(nginx)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing from Debian's packages: ${missing[*]}"
  # slapd's package would start a system-wide LDAP service: the tests run their own, so
  # services stay off while we install (unless the machine already has such a policy).
  policy_added=0
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    policy_added=1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  [ "$policy_added" = 0 ] || rm -f /usr/sbin/policy-rc.d
else
  echo "Missing system packages: ${missing[*]}" >&2
  echo "Install them, e.g.: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
