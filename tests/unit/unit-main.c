// SPDX-License-Identifier: GPL-2.0-or-later
/* Runs every unit test and prints TAP. */
#include "unit.h"

int unit_failed;

int main(void)
{
	const struct unit_test *const suites[] = { config_tests, ktable_tests, plan_tests,
						   json_tests, vpd_tests, glob_tests,
						   procpool_tests, metrics_tests };
	unsigned int s, n = 0, failed = 0;
	const struct unit_test *t;

	for (s = 0; s < sizeof(suites) / sizeof(suites[0]); s++)
		for (t = suites[s]; t->name; t++)
			n++;
	printf("1..%u\n", n);
	n = 0;
	for (s = 0; s < sizeof(suites) / sizeof(suites[0]); s++) {
		for (t = suites[s]; t->name; t++) {
			unit_failed = 0;
			t->fn();
			printf("%sok %u - %s\n", unit_failed ? "not " : "", ++n, t->name);
			failed += unit_failed;
		}
	}
	return failed ? 1 : 0;
}
