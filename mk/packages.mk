# SPDX-License-Identifier: GPL-2.0-or-later
#
# make deb, make rpm, make packages: the packages, built from make dist's
# tarball under build/pkg (scripts/build-packages.sh).

deb:
	@scripts/build-packages.sh deb

rpm:
	@scripts/build-packages.sh rpm

packages:
	@scripts/build-packages.sh deb rpm

.PHONY: deb rpm packages
