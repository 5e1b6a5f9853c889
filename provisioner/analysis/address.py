"""An address key of the symbolic request (aws:SourceIp, aws:VpcSourceIp): present or not, its
version and its 128 bits, compared as IAM compares it (IpAddress over the bits; a string operator
over its text where the text names an address or whole octets)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any

import z3

# RFC 6890's private and special-purpose ranges: no request from the internet carries one as
# aws:SourceIp (IAM User Guide, "AWS global condition context keys": through a VPC endpoint the
# key is absent, aws:VpcSourceIp holding the private address)
NOT_PUBLIC = (
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.0.0.0/24",
    "192.168.0.0/16",
    "198.18.0.0/15",
    "224.0.0.0/4",
    "240.0.0.0/4",
    "::/128",
    "::1/128",
    "fc00::/7",
    "fe80::/10",
    "ff00::/8",
)  # fmt: skip (198.18.0.0/15, benchmarking: round 20af item 7; the documentation ranges are
# left in: the examples the answers show are drawn from them, 203.0.113.7 among them)


@dataclass
class Address:
    """An address key: present or not, its version and its 128 bits."""

    present: z3.BoolRef
    v6: z3.BoolRef
    bits: z3.BitVecRef

    def within(self, cidr: str) -> z3.BoolRef:
        """In the range, as the evaluator decides it (ipaddress: another version is never in)."""
        try:
            network = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            return z3.BoolVal(False)
        size = 32 if network.version == 4 else 128
        mask = ((1 << size) - 1) ^ ((1 << (size - network.prefixlen)) - 1)
        version = z3.Not(self.v6) if network.version == 4 else self.v6
        masked = self.bits & z3.BitVecVal(mask, 128)
        return z3.And(version, masked == z3.BitVecVal(int(network.network_address), 128))

    def spelled(self, positive: str, texts: list[str]) -> z3.BoolRef | None:
        """A string operator on the address as IAM compares its text (IPv4's dotted decimal,
        the form a request's aws:SourceIp takes): StringEquals an address, StringLike whole
        octets then "*" a range; None for any other text (not decided)."""
        options: list[z3.BoolRef] = []
        for text in texts:
            if positive in ("stringequals", "stringequalsignorecase") or (
                "*" not in text and "?" not in text
            ):
                if positive not in ("stringequals", "stringequalsignorecase", "stringlike"):
                    return None
                if re.fullmatch(r"[\d.]+", text) is None:
                    return None  # an IPv6 text: its spelling in the request is not known here
                canonical = _ipv4(text)
                options.append(self.within(f"{text}/32") if canonical == text else z3.BoolVal(False))
                continue
            if positive == "stringlike" and set(text) == {"*"}:
                options.append(z3.BoolVal(True))  # any text at all
                continue
            match = re.fullmatch(r"((?:\d{1,3}\.){1,3})\*", text)
            octets = match.group(1).rstrip(".").split(".") if match and positive == "stringlike" else None
            if octets is None or ".".join(octets) != ".".join(str(int(o)) for o in octets):
                return None
            if any(int(o) > 255 for o in octets):
                options.append(z3.BoolVal(False))
                continue
            prefix = ".".join([*octets, *["0"] * (4 - len(octets))])
            options.append(self.within(f"{prefix}/{8 * len(octets)}"))
        return z3.Or(*options) if options else z3.BoolVal(False)

    def shown(self, model: Any) -> str:
        number = model.eval(self.bits, model_completion=True).as_long()
        if z3.is_true(model.eval(self.v6, model_completion=True)):
            return str(ipaddress.IPv6Address(number))
        return str(ipaddress.IPv4Address(number & 0xFFFFFFFF))


def _ipv4(text: str) -> str | None:
    try:
        return str(ipaddress.IPv4Address(text))
    except ValueError:
        return None
