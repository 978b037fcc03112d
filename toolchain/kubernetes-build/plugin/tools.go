//go:build tools

// Package tools pins what the copied main package (cmd/pulumi-resource-kubernetes from the
// provider module) and its schema generator import, so `go mod tidy` keeps their dependencies.
package tools

import (
	_ "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/provider"
	_ "github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version"
	_ "github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)
