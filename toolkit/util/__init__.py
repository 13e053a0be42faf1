"""Small helpers every stage uses: atomic writes, JSON pointers, "did you mean", package resources."""
