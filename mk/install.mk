# SPDX-License-Identifier: GPL-2.0-or-later
#
# make install / make uninstall, with DESTDIR and PREFIX (default /usr).
# Every directory can be overridden on the command line.  Installing does not
# enable the unit (systemctl enable scsi-dh-early.service, or systemctl preset
# with the preset file it installs) nor rebuild any initramfs (dracut -f):
# packages do that in their scripts.  Uninstalling also removes the rule the
# real root's unit wrote into /run/udev/rules.d, which udev would otherwise
# read until the next boot and run a removed program from.

PREFIX ?= /usr
SYSCONFDIR ?= /etc
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
DRACUTDIR ?= $(or $(shell pkg-config --variable=dracutdir dracut 2>/dev/null),/usr/lib/dracut)
DRACUTMODULESDIR ?= $(or $(shell pkg-config --variable=dracutmodulesdir dracut 2>/dev/null),$(DRACUTDIR)/modules.d)
DRACUTCONFDIR ?= $(DRACUTDIR)/dracut.conf.d
UDEVRULESDIR ?= /usr/lib/udev/rules.d
SYSTEMDUNITDIR ?= /usr/lib/systemd/system
# beside the unit directory: /usr/lib/systemd/system-preset, or /lib/... where
# the units are in /lib
SYSTEMDPRESETDIR ?= $(patsubst %/system,%/system-preset,$(SYSTEMDUNITDIR))
# where the real root's unit writes the rule made from the policy (not under
# DESTDIR's control at boot; make uninstall removes it from $(DESTDIR) there)
RUNUDEVRULESDIR ?= /run/udev/rules.d
# scsi-dh-late: the udev rule that the helper writes and the units name it here
LIBEXECDIR ?= /usr/lib/scsi-dh-early
# initramfs-tools' hook and scripts (empty: none, where the distribution has
# no initramfs-tools)
INITRAMFSTOOLSDIR ?= /usr/share/initramfs-tools

INSTALL ?= install

DRACUT_MODULE := modules.d/50scsi-dh-early
DRACUT_MODULE_SCRIPTS := $(DRACUT_MODULE)/module-setup.sh $(DRACUT_MODULE)/parse-scsi-dh.sh \
	$(DRACUT_MODULE)/scsi-dh-preload.sh $(DRACUT_MODULE)/scsi-dh-apply.sh \
	$(DRACUT_MODULE)/scsi-dh-late
DRACUT_MODULE_DATA := $(DRACUT_MODULE)/66-scsi-dh-early.rules \
	$(DRACUT_MODULE)/scsi-dh-early-preload.service $(DRACUT_MODULE)/scsi-dh-early-apply.service \
	$(DRACUT_MODULE)/scsi-dh-early-late@.service
UDEV_RULE := $(DRACUT_MODULE)/66-scsi-dh-early.rules
ITOOLS := dist/initramfs-tools
ITOOLS_FILES := hooks/scsi-dh-early scripts/init-top/scsi-dh-early \
	scripts/init-premount/scsi-dh-early
UNIT := dist/systemd/scsi-dh-early.service
LATE_UNIT := $(DRACUT_MODULE)/scsi-dh-early-late@.service
LATE_PROG := $(DRACUT_MODULE)/scsi-dh-late
UNIT_DROPIN := dist/systemd/scsi-dh-early.service.d/third-party.conf
# the sandbox of both real-root units, a drop-in of each
HARDENING := dist/systemd/hardening.conf
PRESET := dist/systemd/80-scsi-dh-early.preset
EXAMPLE_CONF := dist/etc/scsi-dh-early.conf
MAN8 := $(wildcard man/*.8)
MAN5 := $(wildcard man/*.5)
MAN7 := $(wildcard man/*.7)

# The real root's unit and udev rule, and the module's default helper path,
# name the helper where this installation puts it.  The initramfs always has
# it in /usr/sbin, and so do its rule and units.
SUBST_SBIN = sed 's|/usr/sbin/scsi-dh-early|$(SBINDIR)/scsi-dh-early|g'
SUBST_MODULE = sed 's|:-/usr/sbin/scsi-dh-early}|:-$(SBINDIR)/scsi-dh-early}|g'
# the initramfs-tools hook: the helper, scsi-dh-late and the rule where this
# installation puts them
SUBST_HOOK = $(SUBST_MODULE) | sed -e 's|:-/usr/lib/scsi-dh-early}|:-$(LIBEXECDIR)}|g' \
	-e 's|:-/lib/udev/rules.d/66-scsi-dh-early.rules}|:-$(UDEVRULESDIR)/66-scsi-dh-early.rules}|g'

install: build/scsi-dh-early
	$(INSTALL) -D -m 0755 build/scsi-dh-early $(DESTDIR)$(SBINDIR)/scsi-dh-early
	$(INSTALL) -d -m 0755 $(DESTDIR)$(DRACUTMODULESDIR)/50scsi-dh-early
	$(SUBST_MODULE) $(DRACUT_MODULE)/module-setup.sh \
		>$(DESTDIR)$(DRACUTMODULESDIR)/50scsi-dh-early/module-setup.sh
	chmod 0755 $(DESTDIR)$(DRACUTMODULESDIR)/50scsi-dh-early/module-setup.sh
	$(INSTALL) -m 0755 $(filter-out %/module-setup.sh,$(DRACUT_MODULE_SCRIPTS)) \
		$(DESTDIR)$(DRACUTMODULESDIR)/50scsi-dh-early/
	$(INSTALL) -m 0644 $(DRACUT_MODULE_DATA) $(DESTDIR)$(DRACUTMODULESDIR)/50scsi-dh-early/
	$(INSTALL) -D -m 0644 dracut.conf.d/50-scsi-dh-early.conf \
		$(DESTDIR)$(DRACUTCONFDIR)/50-scsi-dh-early.conf
	$(INSTALL) -d -m 0755 $(DESTDIR)$(UDEVRULESDIR) $(DESTDIR)$(SYSTEMDUNITDIR)/scsi-dh-early.service.d \
		'$(DESTDIR)$(SYSTEMDUNITDIR)/scsi-dh-early-late@.service.d'
	$(SUBST_SBIN) $(UDEV_RULE) >$(DESTDIR)$(UDEVRULESDIR)/66-scsi-dh-early.rules
	$(SUBST_SBIN) $(UNIT) >$(DESTDIR)$(SYSTEMDUNITDIR)/scsi-dh-early.service
	$(SUBST_SBIN) $(LATE_UNIT) >'$(DESTDIR)$(SYSTEMDUNITDIR)/scsi-dh-early-late@.service'
	chmod 0644 $(DESTDIR)$(UDEVRULESDIR)/66-scsi-dh-early.rules \
		$(DESTDIR)$(SYSTEMDUNITDIR)/scsi-dh-early.service \
		'$(DESTDIR)$(SYSTEMDUNITDIR)/scsi-dh-early-late@.service'
	$(INSTALL) -d -m 0755 $(DESTDIR)$(LIBEXECDIR)
	$(SUBST_SBIN) $(LATE_PROG) >$(DESTDIR)$(LIBEXECDIR)/scsi-dh-late
	chmod 0755 $(DESTDIR)$(LIBEXECDIR)/scsi-dh-late
	$(INSTALL) -m 0644 $(UNIT_DROPIN) $(HARDENING) $(DESTDIR)$(SYSTEMDUNITDIR)/scsi-dh-early.service.d/
	$(INSTALL) -m 0644 $(HARDENING) '$(DESTDIR)$(SYSTEMDUNITDIR)/scsi-dh-early-late@.service.d/'
	$(INSTALL) -D -m 0644 $(PRESET) $(DESTDIR)$(SYSTEMDPRESETDIR)/80-scsi-dh-early.preset
	@# The example configuration never replaces one that is there.
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/scsi-dh-early.conf ]; then \
		echo "  keeping $(DESTDIR)$(SYSCONFDIR)/scsi-dh-early.conf"; \
	else \
		echo "$(INSTALL) -D -m 0644 $(EXAMPLE_CONF) $(DESTDIR)$(SYSCONFDIR)/scsi-dh-early.conf"; \
		$(INSTALL) -D -m 0644 $(EXAMPLE_CONF) $(DESTDIR)$(SYSCONFDIR)/scsi-dh-early.conf; \
	fi
ifneq ($(INITRAMFSTOOLSDIR),)
	$(INSTALL) -d -m 0755 $(DESTDIR)$(INITRAMFSTOOLSDIR)/hooks \
		$(DESTDIR)$(INITRAMFSTOOLSDIR)/scripts/init-top \
		$(DESTDIR)$(INITRAMFSTOOLSDIR)/scripts/init-premount
	$(SUBST_HOOK) <$(ITOOLS)/hooks/scsi-dh-early >$(DESTDIR)$(INITRAMFSTOOLSDIR)/hooks/scsi-dh-early
	chmod 0755 $(DESTDIR)$(INITRAMFSTOOLSDIR)/hooks/scsi-dh-early
	$(SUBST_SBIN) $(ITOOLS)/scripts/init-top/scsi-dh-early \
		>$(DESTDIR)$(INITRAMFSTOOLSDIR)/scripts/init-top/scsi-dh-early
	$(SUBST_SBIN) $(ITOOLS)/scripts/init-premount/scsi-dh-early \
		>$(DESTDIR)$(INITRAMFSTOOLSDIR)/scripts/init-premount/scsi-dh-early
	chmod 0755 $(DESTDIR)$(INITRAMFSTOOLSDIR)/scripts/init-top/scsi-dh-early \
		$(DESTDIR)$(INITRAMFSTOOLSDIR)/scripts/init-premount/scsi-dh-early
endif
ifneq ($(MAN8),)
	$(INSTALL) -D -m 0644 -t $(DESTDIR)$(MANDIR)/man8 $(MAN8)
endif
ifneq ($(MAN5),)
	$(INSTALL) -D -m 0644 -t $(DESTDIR)$(MANDIR)/man5 $(MAN5)
endif
ifneq ($(MAN7),)
	$(INSTALL) -D -m 0644 -t $(DESTDIR)$(MANDIR)/man7 $(MAN7)
endif

uninstall:
	rm -f $(DESTDIR)$(SBINDIR)/scsi-dh-early
	rm -f $(addprefix $(DESTDIR)$(DRACUTMODULESDIR)/50scsi-dh-early/,\
		$(notdir $(DRACUT_MODULE_SCRIPTS) $(DRACUT_MODULE_DATA)))
	[ ! -d $(DESTDIR)$(DRACUTMODULESDIR)/50scsi-dh-early ] || \
		rmdir --ignore-fail-on-non-empty $(DESTDIR)$(DRACUTMODULESDIR)/50scsi-dh-early
	rm -f $(DESTDIR)$(DRACUTCONFDIR)/50-scsi-dh-early.conf
	rm -f $(DESTDIR)$(UDEVRULESDIR)/66-scsi-dh-early.rules
	rm -f $(DESTDIR)$(SYSTEMDUNITDIR)/scsi-dh-early.service \
		'$(DESTDIR)$(SYSTEMDUNITDIR)/scsi-dh-early-late@.service' \
		$(DESTDIR)$(SYSTEMDUNITDIR)/scsi-dh-early.service.d/third-party.conf \
		$(DESTDIR)$(SYSTEMDUNITDIR)/scsi-dh-early.service.d/hardening.conf \
		'$(DESTDIR)$(SYSTEMDUNITDIR)/scsi-dh-early-late@.service.d/hardening.conf' \
		$(DESTDIR)$(SYSTEMDPRESETDIR)/80-scsi-dh-early.preset
	rm -f $(DESTDIR)$(RUNUDEVRULESDIR)/66-scsi-dh-early.rules
ifneq ($(INITRAMFSTOOLSDIR),)
	rm -f $(addprefix $(DESTDIR)$(INITRAMFSTOOLSDIR)/,$(ITOOLS_FILES))
endif
	rm -f $(DESTDIR)$(LIBEXECDIR)/scsi-dh-late
	[ ! -d $(DESTDIR)$(LIBEXECDIR) ] || rmdir --ignore-fail-on-non-empty $(DESTDIR)$(LIBEXECDIR)
	for d in $(DESTDIR)$(SYSTEMDUNITDIR)/scsi-dh-early.service.d \
		'$(DESTDIR)$(SYSTEMDUNITDIR)/scsi-dh-early-late@.service.d'; do \
		[ ! -d "$$d" ] || rmdir --ignore-fail-on-non-empty "$$d"; \
	done
	@# The configuration goes only while it is the unchanged example.
	@if cmp -s $(EXAMPLE_CONF) $(DESTDIR)$(SYSCONFDIR)/scsi-dh-early.conf; then \
		echo "rm -f $(DESTDIR)$(SYSCONFDIR)/scsi-dh-early.conf"; \
		rm -f $(DESTDIR)$(SYSCONFDIR)/scsi-dh-early.conf; \
	elif [ -e $(DESTDIR)$(SYSCONFDIR)/scsi-dh-early.conf ]; then \
		echo "  keeping $(DESTDIR)$(SYSCONFDIR)/scsi-dh-early.conf (changed)"; \
	fi
ifneq ($(MAN8)$(MAN5)$(MAN7),)
	rm -f $(addprefix $(DESTDIR)$(MANDIR)/man8/,$(notdir $(MAN8))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man5/,$(notdir $(MAN5))) \
		$(addprefix $(DESTDIR)$(MANDIR)/man7/,$(notdir $(MAN7)))
endif

.PHONY: install uninstall
