"""The one definition of what reading, writing and deleting data is, for inventory's scope and
its bucket-policy parties and for who-can (Service Authorization Reference, Amazon S3, object
actions), and the bucket-level control actions that are power beyond data.

- read: an object's data, current (s3:GetObject) or an earlier version (s3:GetObjectVersion);
- write: whatever puts an object: s3:PutObject (create, overwrite), s3:ReplicateObject (a
  replica written by another account's replication);
- re-share: s3:PutObjectAcl and s3:PutObjectVersionAcl (an ACL can hand the object, or a version
  of it, to anyone, the setter included, where ACLs are enabled: who-can read lists it);
- delete: s3:DeleteObject, s3:DeleteObjectVersion (destroys a version for good),
  s3:ReplicateDelete (a replicated delete marker hides the object).

Not counted: s3:AbortMultipartUpload (an upload in progress, never a stored object), tagging,
retention and legal hold."""

from __future__ import annotations

READ = ("s3:GetObject", "s3:GetObjectVersion")
WRITE = ("s3:PutObject", "s3:ReplicateObject")
RESHARE = ("s3:PutObjectAcl", "s3:PutObjectVersionAcl")
DELETE = ("s3:DeleteObject", "s3:DeleteObjectVersion", "s3:ReplicateDelete")
RIGHTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("read", READ),
    ("write", WRITE),
    ("re-share", RESHARE),
    ("delete", DELETE),
)
# the rights as weighty as writing data (high where a party holds one)
WEIGHTY = frozenset({"write", "re-share", "delete"})
# who-can's two questions: "write" is whatever replaces, destroys or re-shares an object
WHO_CAN = {"read": READ, "write": WRITE + RESHARE + DELETE}

# Write-level actions on the bucket itself (Service Authorization Reference, Amazon S3: access
# level "Write" or "Permissions management"): its policy, ACL, public access block, CORS,
# encryption, lifecycle, replication, or the bucket itself. An outside party holding one controls
# the bucket, beyond its data.
BUCKET_WRITES = (
    "s3:DeleteBucket",
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutBucketCORS",
    "s3:PutBucketOwnershipControls",
    "s3:PutBucketPolicy",
    "s3:PutBucketPublicAccessBlock",
    "s3:PutBucketVersioning",
    "s3:PutEncryptionConfiguration",
    "s3:PutLifecycleConfiguration",
    "s3:PutReplicationConfiguration",
)

# Who holds one of these can grant itself write to every object: a bucket policy naming it, or
# (where ACLs are enabled) an ACL granting it WRITE: who-can write lists it; and who may delete
# the bucket policy takes its Denies away (its own policies then decide: trial 22r item 6)
TAKEOVER = ("s3:PutBucketPolicy", "s3:PutBucketAcl", "s3:DeleteBucketPolicy")

# Amazon S3 API Reference, PutBucketLifecycleConfiguration: "If you want to prevent users or
# accounts from removing or deleting objects from your bucket, you must deny them permissions for
# the following actions: s3:DeleteObject s3:DeleteObjectVersion s3:PutLifecycleConfiguration". An
# expiration rule deletes every object (S3 deletes them, past a Deny on the holder's own deletes):
# who-can write lists its holder (trial 22q item 3)
EXPIRE = "s3:PutLifecycleConfiguration"

# Amazon S3 API Reference, PutBucketPolicy and DeleteBucketPolicy: "the calling identity must
# both have the … permissions on the specified bucket and belong to the bucket owner's account":
# a bucket policy granting them to another account gives it nothing
OWNER_ONLY = ("s3:PutBucketPolicy", "s3:DeleteBucketPolicy")

# (right, action) for each of RIGHTS' actions
RIGHT_OF = tuple((right, action) for right, actions in RIGHTS for action in actions)
