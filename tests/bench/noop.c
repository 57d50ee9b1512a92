// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The floor of "one process per LUN" (the udev RUN+= model) in `make bench`:
 * a static program that does nothing, exec'ed once per LUN.
 */
int main(void)
{
	return 0;
}
