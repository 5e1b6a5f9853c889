"""provisioner: connect an S3 bucket to a labeling or ML vendor through IAM delegated access."""

__version__ = "0.1.0"
