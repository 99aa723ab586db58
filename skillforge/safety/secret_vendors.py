"""Vendor token rules for :mod:`skillforge.safety.secret_rules`: a prefix that names the vendor, then the
token's alphabet and length (gitleaks' rules of the same names, and the keys of the AI providers agents use
most). Kept apart from the keyword and assignment rules, which need Python checks of their own.
"""

import re
from collections.abc import Callable

from skillforge.safety.secret_checks import _E, Rule, _always, _mixed, _when
from skillforge.safety.secret_names import _letters_and_digits


def _token(
    kind: str,
    pattern: str,
    keywords: tuple[str, ...],
    test: Callable[[str], bool] = _always,
    exact: bool = False,
    bounded: bool = True,
) -> Rule:
    """A vendor token of a known shape (gitleaks' rule of the same name): a prefix, then its alphabet
    and length, bounded on the right (and the left unless the prefix is unmistakable alone)."""
    return Rule(kind, re.compile(pattern + _E), keywords, _when(kind, test, bounded), exact=exact)


# more tokens whose prefix names the vendor (gitleaks' rules of the same names, and the AI providers'
# keys agents use most): model APIs, hosting and deploy CLIs, package registries, secret managers
_AI_AND_CLOUD_RULES = [
    _token("groq-key", r"gsk_[A-Za-z0-9]{52}", ("gsk_",), _mixed),
    _token("xai-key", r"xai-[A-Za-z0-9_]{80}", ("xai-",), _mixed),
    _token("perplexity-key", r"pplx-[A-Za-z0-9]{48}", ("pplx-",), _mixed),
    _token("replicate-token", r"r8_[A-Za-z0-9]{37}", ("r8_",), _mixed),
    _token("tavily-key", r"tvly-(?:dev-|prod-)?[A-Za-z0-9]{32}", ("tvly-",), _mixed),
    _token("pinecone-key", r"pcsk_[A-Za-z0-9]{5,8}_[A-Za-z0-9]{50,70}", ("pcsk_",), _mixed),
    _token("langsmith-key", r"lsv2_(?:pt|sk)_[a-f0-9]{32}_[a-f0-9]{10}", ("lsv2_",), _letters_and_digits),
    _token("openrouter-key", r"sk-or-v1-[a-f0-9]{64}", ("sk-or-v1-",), _letters_and_digits),
    _token("google-oauth-token", r"ya29\.[A-Za-z0-9_-]{30,}", ("ya29.",), _mixed),
    _token("heroku-key", r"HRKU-AA[A-Za-z0-9_-]{58}", ("HRKU-AA",), _mixed, exact=True),
    _token("planetscale-token", r"pscale_(?:tkn|pw|oauth)_[A-Za-z0-9=_.-]{32,64}", ("pscale_",), _mixed),
    _token("supabase-token", r"sb(?:p_[a-f0-9]{40}|_secret_[A-Za-z0-9_-]{31,})", ("sbp_", "sb_secret_")),
    _token("notion-token", r"ntn_[0-9]{11}[A-Za-z0-9]{35}", ("ntn_",), _mixed),
    _token("airtable-token", r"pat[A-Za-z0-9]{14}\.[a-f0-9]{64}", ("pat",), _mixed),
    _token("mapbox-token", r"sk\.eyJ[A-Za-z0-9_-]{20,}\.[A-Za-z0-9_-]{20,}", ("sk.eyj",)),
    _token("alibaba-key", r"LTAI[A-Za-z0-9]{20}", ("LTAI",), _mixed, exact=True),
    _token("tailscale-key", r"tskey-[a-z]+-[A-Za-z0-9]{6,}-[A-Za-z0-9]{20,}", ("tskey-",), _mixed),
    _token("dynatrace-token", r"dt0c01\.[A-Z0-9]{24}\.[A-Z0-9]{64}", ("dt0c01.",), _letters_and_digits),
    _token("onepassword-token", r"ops_eyJ[A-Za-z0-9+/=_-]{100,}", ("ops_eyj",), _mixed),
    _token("sourcegraph-token", r"sgp_(?:[a-fA-F0-9]{16}|local)_[a-fA-F0-9]{40}", ("sgp_",)),
    _token("prefect-key", r"pnu_[A-Za-z0-9]{36}", ("pnu_",), _mixed),
    _token("rubygems-key", r"rubygems_[a-f0-9]{48}", ("rubygems_",), _letters_and_digits),
    _token("clojars-token", r"(?i:CLOJARS_)[a-z0-9]{60}", ("clojars_",), _letters_and_digits),
    _token("artifactory-token", r"AKCp[A-Za-z0-9]{69}", ("AKCp",), _mixed, exact=True),
    _token("netlify-token", r"nfp_[A-Za-z0-9]{36}", ("nfp_",), _mixed),
    _token("neon-key", r"napi_[a-z0-9]{64}", ("napi_",), _letters_and_digits),
    _token("flyio-token", r"fo1_[A-Za-z0-9_-]{43}", ("fo1_",), _mixed),
    _token("square-token", r"(?:EAAA|sq0atp-|sq0csp-)[A-Za-z0-9_-]{22,60}", ("eaaa", "sq0"), _mixed),
    _token("openshift-token", r"sha256~[A-Za-z0-9_-]{43}", ("sha256~",), _mixed),
    _token("easypost-key", r"EZ[AT]K[A-Za-z0-9]{54}", ("EZAK", "EZTK"), _mixed, exact=True),
    _token("flutterwave-key", r"FLWSECK(?:_TEST)?-[a-h0-9]{32}-X", ("FLWSECK",), exact=True, bounded=False),
    _token("shippo-token", r"shippo_(?:live|test)_[a-fA-F0-9]{40}", ("shippo_",)),
]

# tokens whose prefix alone names the vendor (gitleaks: shopify, linear, vault, doppler, age, twilio,
# mailgun, digitalocean, databricks, postman, grafana, sentry, new relic, pulumi, atlassian, telegram,
# terraform cloud)
VENDOR_RULES = [
    _token("shopify-token", r"shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}", ("shpat_", "shpss_", "shpca_", "shppa_")),
    _token("linear-key", r"lin_api_[A-Za-z0-9]{40}", ("lin_api_",)),
    _token("vault-token", r"hv[sb]\.[A-Za-z0-9_-]{90,300}", ("hvs.", "hvb."), _mixed),
    # a legacy Vault service token (s.<24>): "s." is everywhere, so next to "vault" only (as gitleaks)
    _token("vault-token", r"(?<![A-Za-z0-9_.-])s\.[A-Za-z0-9]{24}", ("vault",), _mixed, bounded=False),
    # a webhook signing secret (Stripe, Svix): printed bare by `stripe listen --print-secret`
    _token("webhook-secret", r"whsec_[A-Za-z0-9+/]{24,}={0,2}", ("whsec_",), _mixed),
    _token("doppler-token", r"dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{40,44}", ("dp.",), _mixed),
    _token(
        "age-secret-key",
        r"AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58}",
        ("AGE-SECRET-KEY-1",),
        exact=True,
        bounded=False,
    ),
    # next to their vendor's name only (as gitleaks): "sk" and "key-" occur everywhere in prose
    _token("twilio-key", r"SK[0-9a-fA-F]{32}", ("twilio",), _letters_and_digits),
    _token("mailgun-key", r"key-[0-9a-f]{32}", ("mailgun",), _letters_and_digits),
    _token("digitalocean-token", r"do[opr]_v1_[a-f0-9]{64}", ("dop_v1_", "doo_v1_", "dor_v1_")),
    _token("databricks-token", r"dapi[a-f0-9]{32}(?:-\d)?", ("dapi",), _letters_and_digits),
    _token("postman-key", r"PMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34}", ("PMAK-",), exact=True),
    _token(
        "grafana-token",
        r"gl(?:sa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}|c_[A-Za-z0-9+/]{32,400}={0,2})",
        ("glsa_", "glc_"),
        _mixed,
    ),
    _token("sentry-token", r"sntry(?:u_[a-f0-9]{64}|s_eyJ[A-Za-z0-9+/=_.-]{60,})", ("sntryu_", "sntrys_")),
    _token(
        "newrelic-key",
        r"NR(?:AK|II|JS)-[A-Za-z0-9]{27}",
        ("NRAK-", "NRII-", "NRJS-"),
        _letters_and_digits,
        exact=True,
    ),
    _token("pulumi-token", r"pul-[a-f0-9]{40}", ("pul-",), _letters_and_digits),
    _token("atlassian-token", r"ATATT3[A-Za-z0-9_=-]{150,200}", ("ATATT3",), _mixed, exact=True),
    _token(
        "telegram-bot-token",
        r"(?<![0-9])[0-9]{5,16}:AA[A-Za-z0-9_-]{33}",
        (":AA",),
        _mixed,
        exact=True,
        bounded=False,
    ),
    _token("terraform-token", r"[A-Za-z0-9]{14}\.atlasv1\.[A-Za-z0-9_=-]{60,70}", ("atlasv1",)),
    *_AI_AND_CLOUD_RULES,
]
