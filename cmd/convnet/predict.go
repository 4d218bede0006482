package main

import "io"

func runPredict(args []string, stdout, stderr io.Writer) error {
	return usageError{"not yet"}
}
