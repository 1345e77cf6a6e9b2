package main

import (
	"context"
	"errors"
)

func clusterUp(ctx context.Context, args []string) error   { return errors.New("todo") }
func clusterDown(ctx context.Context, args []string) error { return errors.New("todo") }
