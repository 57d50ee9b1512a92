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
	@rm -f $(DIST_TARBALL).tmp
	@# written beside it and renamed: a build reading the tarball meanwhile
	@# sees the old one whole or the new one whole
	@git ls-files -z --cached --others --exclude-standard | \
		xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh | \
		LC_ALL=C sort -z | \
		tar --null -T - --owner=0 --group=0 --numeric-owner --mode='u+w,go-w' \
			--mtime="$$(git log -1 --format=%cI 2>/dev/null || date -u +%FT%TZ)" \
			--transform 's|^|$(DIST_NAME)/|' -czf $(DIST_TARBALL).tmp
	@mv -f $(DIST_TARBALL).tmp $(DIST_TARBALL)
	@echo "  DIST $(DIST_TARBALL): $$(tar -tzf $(DIST_TARBALL) | wc -l) entries"

version:
	@echo $(VERSION)

.PHONY: dist version
