"""Exact analysis of policies with the z3 solver (analysis/trust.py: who gets in through a trust
policy and the RCPs). Import the submodules directly; they load z3, which only the commands that
decide trusts need."""
