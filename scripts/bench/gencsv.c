/* SPDX-License-Identifier: MIT */
/* gencsv.c: a seeded N x 28 numeric CSV with a binary target, for benches */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NFEAT 28

static uint64_t state;

/* splitmix64: the same stream for the same seed on every machine */
static uint64_t next_u64(void)
{
	uint64_t z = (state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

static double uniform(void)
{
	return (double)(next_u64() >> 11) * (1.0 / 9007199254740992.0);
}

static double normal(void)
{
	double u = uniform(), v = uniform();

	if (u < 1e-300)
		u = 1e-300;
	return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static void usage(void)
{
	fprintf(stderr, "usage: gencsv [-n ROWS] [-s SEED] [-o FILE]\n");
	exit(129);
}

int main(int argc, char **argv)
{
	unsigned long long rows = 1000000, seed = 42, r;
	const char *path = NULL;
	double w[NFEAT], x[NFEAT];
	FILE *out = stdout;
	int i, j;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-n") && i + 1 < argc)
			rows = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "-s") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "-o") && i + 1 < argc)
			path = argv[++i];
		else
			usage();
	}
	if (path && !(out = fopen(path, "w"))) {
		perror(path);
		return 1;
	}
	state = seed;
	/* a fixed hidden linear model decides the label */
	for (j = 0; j < NFEAT; j++)
		w[j] = normal() * (j % 3 ? 0.3 : 1.0);
	fputs("target", out);
	for (j = 0; j < NFEAT; j++)
		fprintf(out, ",f%d", j + 1);
	fputc('\n', out);
	for (r = 0; r < rows; r++) {
		double z = 0;
		for (j = 0; j < NFEAT; j++) {
			x[j] = normal() * (1.0 + j % 4);
			z += w[j] * x[j] / (1.0 + j % 4);
		}
		z += x[0] * x[1] * 0.25 + normal() * 0.5;
		fputc(1.0 / (1.0 + exp(-z)) > uniform() ? '1' : '0', out);
		for (j = 0; j < NFEAT; j++)
			fprintf(out, ",%.5f", x[j]);
		fputc('\n', out);
	}
	if (fclose(out)) {
		perror(path ? path : "stdout");
		return 1;
	}
	return 0;
}
