"""Small helpers every stage uses: atomic writes, masking, JSON pointers, "did you mean", package resources."""
