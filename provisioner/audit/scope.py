"""What audit judges a role within (`Scope`): its account, the account's policies and the
organization, and the run's memo, so that a trust or a policy set is analysed once per distinct
question (memo_key: trusts differing only in their external IDs or outside accounts share one
analysis)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from provisioner.audit.grants import GrantVerdict, grant_verdict, level_names
from provisioner.audit.memo_key import (
    ACCOUNT,
    Memo,
    RoleKeys,
    abstract_external_ids,
    mapped_back,
    names_external_id,
    reads_role_keys,
    renamed,
    renaming_of,
    role_dependent,
    role_keys,
)
from provisioner.audit.model import RoleDetail
from provisioner.audit.trust import TrustVerdict, judge_trust
from provisioner.iam import document_text
from provisioner.organization import OrgPolicies


@dataclass(slots=True)
class Scope:
    """What a role is judged within: its account, that account's policies, the organization."""

    account: str
    policies: dict[str, Any]
    org_accounts: frozenset[str]
    memo: Memo
    org: OrgPolicies | None

    @classmethod
    def of(
        cls, account: str, policies: dict[str, Any] | None = None, org: OrgPolicies | None = None
    ) -> Scope:
        """A scope of its own (a run's memo is not shared): for a test or a single role."""
        return cls(account, policies or {}, frozenset(), Memo(), org)

    def trust(self, role: RoleDetail, with_rcps: bool = True) -> TrustVerdict:
        """The verdict on a role's trust, its IDs and accounts its own. The analysis runs once
        per distinct question in a run: the trust with its IDs and outside accounts abstracted
        where that is sound (document_text: a fast, faithful key for JSON data), the organization's
        policies by name, and the role's ARN when an RCP's Resource (or the trust's) has a
        pattern, so the RCPs are asked about the role's own ARN."""
        return self.trust_and_text(role, with_rcps)[0]

    def trust_and_text(self, role: RoleDetail, with_rcps: bool = True) -> tuple[TrustVerdict, str]:
        """`trust`, and the trust's text (its document_text, made once per role)."""
        rcps = self.org.rcps if self.org and with_rcps else ()
        real_text = document_text(role.trust)
        named = bool(rcps and role_dependent(rcps)) or "Resource" in real_text
        suffix = ""
        if rcps or named or self.org:
            suffix = level_names(rcps) + (role.arn if named else "") + "".join(self._orgs)
        keys: RoleKeys = ()
        if reads_role_keys(real_text) or self._rcps_read_role_keys(rcps):
            keys = role_keys(role.tags, self.account, self._orgs)
            suffix += " role keys: " + repr(keys)  # another role's tags are another question
        # the same trust again (the many service roles): its verdict, IDs and accounts its own
        seen = (self.account, self.org_accounts, "as written: " + real_text + suffix)
        if (known := self.memo.trust.get(seen)) is not None:
            return known, real_text
        abstract, ids = abstract_external_ids(role.trust, real_text)
        if ids and rcps and names_external_id(rcps):
            abstract, ids = role.trust, {}
        text = document_text(abstract) if ids else real_text
        renaming: dict[str, str] = {}
        # not renamed: a tag's value may be an outside account; nor a federated trust's, whose
        # subject values (a Cognito pool ID) may hold 12 digits that are no account
        if not rcps and not keys and "Federated" not in real_text:
            # the renaming of a text's outside accounts, once per text with its IDs abstracted
            shape = (self.account, self.org_accounts, text)
            known_shape = self.memo.shapes.get(shape)
            if known_shape is None:
                renaming = renaming_of(abstract, text, self._ours)
                if renaming:
                    renamed_text = ACCOUNT.sub(lambda m: renaming.get(m.group(0), m.group(0)), text)
                else:
                    renamed_text = text
                known_shape = self.memo.shapes[shape] = (renaming, renamed_text)
            renaming, text = known_shape
        verdict = self._verdict(text, suffix, abstract, renaming, role, rcps, keys)
        concrete = None
        if verdict is not None:
            back = {p: t for t, p in renaming.items()} if renaming else {}
            concrete = mapped_back(verdict, ids, back, self.memo.mapped)
        if concrete is None:
            concrete = self._verdict(real_text, suffix, role.trust, {}, role, rcps, keys)
            assert concrete is not None  # nothing renamed: always judged
        self.memo.trust[seen] = concrete
        return concrete, real_text

    @property
    def _orgs(self) -> tuple[str, ...]:
        """The audited organization's ID, when known (DescribeOrganization, or a policy's ARN)."""
        return (self.org.org_id,) if self.org is not None and self.org.org_id else ()

    def _ours(self, account: str) -> bool:
        return account == self.account or account in self.org_accounts

    def _rcps_read_role_keys(self, rcps: Any) -> bool:
        """Does an RCP read the role's own keys? (Once per set of RCPs in a run.)"""
        if not rcps:
            return False
        names = level_names(rcps)
        if names not in self.memo.role_keys_read:
            texts = (repr(p.document) for level in rcps for p in level)
            self.memo.role_keys_read[names] = any(reads_role_keys(t) for t in texts)
        return self.memo.role_keys_read[names]

    def _verdict(
        self,
        text: str,
        suffix: str,
        document: Any,
        renaming: dict[str, str],
        role: RoleDetail,
        rcps: Any,
        keys: RoleKeys = (),
    ) -> TrustVerdict | None:
        """The memo's verdict for a key (the document's text, the RCPs' names, the role's ARN
        where it matters), judged on its first use; None when the renamed document is not what
        the key says (a number where a string was: the real one is judged)."""
        key = (self.account, self.org_accounts, text + suffix)
        if key not in self.memo.trust:
            if renaming:
                document = renamed(document, renaming)
                if document_text(document) != text:
                    return None
            self.memo.trust[key] = judge_trust(
                document,
                self.account,
                self.org_accounts,
                rcps,
                role_arn=role.arn,
                own_orgs=self._orgs,
                role_keys=keys,
            )
        return self.memo.trust[key]

    def grant(self, role: RoleDetail) -> GrantVerdict | None:
        scps = self.org.scps if self.org else ()
        org_id = self.org.org_id if self.org else None
        return grant_verdict(role, self.account, self.policies, self.memo.grants, scps, org_id)
