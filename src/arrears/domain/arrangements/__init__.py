"""Arrangements: promises to pay, installment plans, extensions, settlements, hardship,
counselling referrals and payment allocation. Pure: no IO, no clock (dates are arguments).
"""
