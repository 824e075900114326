"""The side-by-side performance benchmark (`make bench`); never imported by the platform itself."""
