"""Tenancy: shops (`Tenant`), who belongs to them (`Membership`), and Row-Level Security."""
