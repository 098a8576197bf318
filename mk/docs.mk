# SPDX-License-Identifier: BSD-2-Clause
# Manual pages: mandoc's linter at WARNING level must stay silent.  STYLE
# notes (cross references to pages not installed on this machine, custom
# section names such as FILTERS) are deliberately not fatal.

MAN_PAGES := $(wildcard docs/*.[1-9])

lint-man:
	$(Q)command -v mandoc >/dev/null || { echo "lint-man: mandoc not installed (apt-get install mandoc)" >&2; exit 1; }
	$(Q)mandoc -T lint -W warning $(MAN_PAGES)

TEST_STEPS += lint-man
.PHONY: lint-man
