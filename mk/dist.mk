# SPDX-License-Identifier: GPL-2.0-or-later
#
# make dist: the release tarball build/scsi-dh-early-VERSION.tar.gz, every
# file git knows of the work tree (committed or not, ignored ones left out),
# under the directory scsi-dh-early-VERSION/.  rpmbuild -tb and
# dpkg-buildpackage both build from it.
#
# make version: the version, from VERSION in the Makefile, the one place it
# is set.  The helper's --version gets it at build time; debian/changelog,
# the spec and the man pages carry it too, and tests/206-version.bats checks
# that they all agree.

DIST_NAME := scsi-dh-early-$(VERSION)
DIST_TARBALL := build/$(DIST_NAME).tar.gz

dist: | build
	@git rev-parse --is-inside-work-tree >/dev/null 2>&1 || \
		{ echo "make dist: needs the git work tree" >&2; exit 1; }
	@# written beside it under a name of this run's own and renamed: a build
	@# reading the tarball meanwhile sees the old one or the new one whole,
	@# and two runs at once (the package tests, the boot suite) never share
	@# a temporary file
	@t=$(DIST_TARBALL).$$$$.tmp; \
	git ls-files -z --cached --others --exclude-standard | \
		xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh | \
		LC_ALL=C sort -z | \
		tar --null -T - --owner=0 --group=0 --numeric-owner --mode='u+w,go-w' \
			--mtime="$$(git log -1 --format=%cI 2>/dev/null || date -u +%FT%TZ)" \
			--transform 's|^|$(DIST_NAME)/|' -czf "$$t" && \
		mv -f "$$t" $(DIST_TARBALL) || { rm -f "$$t"; exit 1; }
	@echo "  DIST $(DIST_TARBALL): $$(tar -tzf $(DIST_TARBALL) | wc -l) entries"

version:
	@echo $(VERSION)

.PHONY: dist version
