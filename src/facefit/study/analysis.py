"""The trial's statistics (statsmodels, pingouin, krippendorff), each choice stated where it is made.

Primary analysis, per endpoint: ANCOVA of the final-visit value on arm and baseline value
(``final ~ C(arm) + baseline``), each arm against the control arm, with a 95% CI.

- Intention to treat (ITT): every randomised participant, in the arm they were allocated to. A final
  value that is missing (withdrawal, missed visit) is multiply imputed, 50 times, within each arm from
  a regression on the baseline and, when it was measured, the week-8 value (missing at random given
  arm and earlier visits), with parameter uncertainty drawn from the fitted model; the 50 ANCOVAs are
  combined with Rubin's rules.
- Per protocol (PP): complete cases among participants who did not withdraw, completed the final visit,
  had no major deviation and, in an arm with a programme, covered at least the protocol's share of
  planned practice days.
- A mixed model over all visits (random intercept per participant, ``value ~ C(visit) * C(arm)``; uses
  every observed visit, valid under missing at random) gives the arm difference in change from baseline
  at the final visit, as a check on the ANCOVA.
- Effect size: the adjusted difference over the pooled baseline SD (a standardised difference), with the
  CI scaled the same way.
- Rater reliability: inter-rater ICC(2,1) and ICC(2,k) (two-way random, absolute agreement) over the
  photos every rater rated, Krippendorff's alpha (interval) over all first ratings, and intra-rater
  ICC(2,1) from the unannounced repeats.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from facefit.study.agemodel import AgeError, age_error, beyond_error
from facefit.study.data import StudyData

IMPUTATIONS = 50
IMPUTATION_SEED = 20180101
CI = 0.95
LEGACY_ICC_NAMES = {"ICC(A,1)": "ICC2", "ICC(A,k)": "ICC2k"}  # pingouin < 0.6 named them so


@dataclass(frozen=True)
class Estimate:
    """An arm-vs-control difference with its 95% CI, standardised version and the numbers behind it."""

    endpoint: str
    population: str  # ITT | PP | mixed
    arm: str
    control: str
    effect: float
    ci_low: float
    ci_high: float
    p: float
    n: int
    n_arm: int
    n_control: int
    d: float
    d_low: float
    d_high: float
    imputed: int = 0
    method: str = ""

    def covers(self, value: float) -> bool:
        return self.ci_low <= value <= self.ci_high

    def to_dict(self) -> dict[str, Any]:
        return {
            k: (round(v, 6) if isinstance(v, float) and math.isfinite(v) else v)
            for k, v in asdict(self).items()
        }


def _t_ci(estimate: float, se: float, dof: float) -> tuple[float, float, float]:
    from scipy import stats

    if not (math.isfinite(se) and se > 0 and dof > 0):
        return float("nan"), float("nan"), float("nan")
    q = stats.t.ppf(0.5 + CI / 2, dof)
    p = 2 * stats.t.sf(abs(estimate / se), dof)
    return estimate - q * se, estimate + q * se, float(p)


@dataclass(frozen=True)
class _Fit:
    effect: float
    se: float
    dof: float


def _ancova_fit(frame: pd.DataFrame, arm: str, control: str) -> _Fit:
    """OLS of ``final ~ 1 + [arm] + baseline`` on rows of the two arms (statsmodels, design built here:
    fifty imputations times every endpoint would spend most of their time parsing formulas)."""
    import statsmodels.api as sm

    x = np.column_stack(
        [np.ones(len(frame)), (frame["arm"] == arm).to_numpy(float), frame["baseline"].to_numpy(float)]
    )
    fit = sm.OLS(frame["final"].to_numpy(float), x).fit()
    return _Fit(float(fit.params[1]), float(fit.bse[1]), float(fit.df_resid))


def _standardised(frame: pd.DataFrame, effect: float, low: float, high: float) -> tuple[float, float, float]:
    groups = [g["baseline"].dropna().to_numpy() for _, g in frame.groupby("arm")]
    dof = sum(len(g) - 1 for g in groups)
    if dof <= 0:
        return float("nan"), float("nan"), float("nan")
    sd = math.sqrt(sum(float(np.sum((g - g.mean()) ** 2)) for g in groups) / dof)
    if sd <= 0:
        return float("nan"), float("nan"), float("nan")
    return effect / sd, low / sd, high / sd


def _estimate(
    frame: pd.DataFrame,
    endpoint: str,
    population: str,
    arm: str,
    control: str,
    interval: tuple[float, float, float, float],
    imputed: int,
    method: str,
) -> Estimate:
    """An Estimate from ``(effect, low, high, p)`` over ``frame`` (its arms counted, d from its baselines)."""
    effect, low, high, p = interval
    d, d_low, d_high = _standardised(frame, effect, low, high)
    counts = frame["arm"].value_counts()
    return Estimate(
        endpoint,
        population,
        arm,
        control,
        effect,
        low,
        high,
        p,
        len(frame),
        int(counts.get(arm, 0)),
        int(counts.get(control, 0)),
        d,
        d_low,
        d_high,
        imputed,
        method,
    )


def _frame(wide: pd.DataFrame, baseline: str, final: str, middle: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({"arm": wide["arm"], "baseline": wide[baseline], "final": wide[final]})
    for name in middle:
        frame[f"v_{name}"] = wide[name]
    return frame


def ancova_complete(
    frame: pd.DataFrame, endpoint: str, arm: str, control: str, population: str
) -> Estimate | None:
    """OLS ANCOVA on participants with both baseline and final values."""
    data = frame.dropna(subset=["baseline", "final"])
    data = data[data["arm"].isin([arm, control])]
    counts = data["arm"].value_counts()
    if counts.get(arm, 0) < 2 or counts.get(control, 0) < 2:
        return None
    fit = _ancova_fit(data, arm, control)
    low, high, p = _t_ci(fit.effect, fit.se, fit.dof)
    return _estimate(
        data, endpoint, population, arm, control, (fit.effect, low, high, p), 0, "ANCOVA (complete cases)"
    )


def _impute_arm(rows: pd.DataFrame, rng: np.random.Generator, middle: list[str]) -> pd.Series:
    """One draw of the missing final values of one arm (Bayesian linear regression, flat prior)."""
    out = rows["final"].copy()
    missing = out.isna() & rows["baseline"].notna()
    if not missing.any():
        return out
    for columns in ([*[f"v_{m}" for m in middle], "baseline"], ["baseline"]):
        observed = rows.dropna(subset=[*columns, "final"])
        targets = missing & rows[columns].notna().all(axis=1) & out.isna()
        if not targets.any() or len(observed) < len(columns) + 3:
            continue
        x = np.column_stack([np.ones(len(observed)), observed[columns].to_numpy(float)])
        y = observed["final"].to_numpy(float)
        beta, *_ = np.linalg.lstsq(x, y, rcond=None)
        resid = y - x @ beta
        dof = len(y) - x.shape[1]
        sigma2 = float(resid @ resid) / rng.chisquare(dof)
        cov = np.linalg.pinv(x.T @ x) * sigma2
        drawn = rng.multivariate_normal(beta, cov)
        xt = np.column_stack([np.ones(int(targets.sum())), rows.loc[targets, columns].to_numpy(float)])
        out.loc[targets] = xt @ drawn + rng.normal(0, math.sqrt(sigma2), int(targets.sum()))
    return out


def ancova_itt(
    frame: pd.DataFrame, endpoint: str, arm: str, control: str, middle: list[str]
) -> Estimate | None:
    """ANCOVA over every randomised participant, missing final values multiply imputed (Rubin's rules)."""
    data = frame[frame["arm"].isin([arm, control]) & frame["baseline"].notna()].copy()
    missing = int(data["final"].isna().sum())
    if missing == 0:
        result = ancova_complete(data, endpoint, arm, control, "ITT")
        return (
            None if result is None else Estimate(**{**asdict(result), "method": "ANCOVA (no missing finals)"})
        )
    rng = np.random.default_rng(IMPUTATION_SEED)
    estimates, variances, dofs = [], [], []
    for _ in range(IMPUTATIONS):
        filled = data.copy()
        for _arm, rows in data.groupby("arm"):
            filled.loc[rows.index, "final"] = _impute_arm(rows, rng, middle)
        filled = filled.dropna(subset=["final"])
        if filled["arm"].value_counts().min() < 2:
            return None
        fit = _ancova_fit(filled, arm, control)
        estimates.append(fit.effect)
        variances.append(fit.se**2)
        dofs.append(fit.dof)
    m = len(estimates)
    q = float(np.mean(estimates))
    u = float(np.mean(variances))
    b = float(np.var(estimates, ddof=1))
    total = u + (1 + 1 / m) * b
    dof_complete = float(np.mean(dofs))
    lam = (1 + 1 / m) * b / total if total > 0 else 0.0
    dof_old = (m - 1) / lam**2 if lam > 0 else float("inf")
    dof_obs = (dof_complete + 1) / (dof_complete + 3) * dof_complete * (1 - lam)
    dof = 1 / (1 / dof_old + 1 / dof_obs) if math.isfinite(dof_old) else dof_obs  # Barnard-Rubin
    low, high, p = _t_ci(q, math.sqrt(total), dof)
    method = f"ANCOVA, {missing} missing final values multiply imputed ({IMPUTATIONS}x, Rubin's rules)"
    return _estimate(data, endpoint, "ITT", arm, control, (q, low, high, p), missing, method)


def mixed_model(data: StudyData, endpoint: str, arm: str, control: str) -> Estimate | None:
    """Arm difference in change from baseline at the final visit from a random-intercept mixed model."""
    import statsmodels.formula.api as smf

    definition = data.study.definition
    rows = data.tidy[(data.tidy["endpoint"] == endpoint) & data.tidy["arm"].isin([arm, control])]
    if rows["participant"].nunique() < 6 or rows["visit"].nunique() < 2:
        return None
    baseline, final = definition.baseline.id, definition.endpoints.final_visit
    order = [v.id for v in definition.visits]
    frame = rows[["participant", "arm", "visit", "value"]].copy()
    frame["visit"] = pd.Categorical(frame["visit"], categories=order)
    formula = (
        f"value ~ C(visit, Treatment(reference='{baseline}')) * C(arm, Treatment(reference='{control}'))"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = smf.mixedlm(formula, frame, groups=frame["participant"]).fit(reml=True)
        except (ValueError, np.linalg.LinAlgError):
            return None
    term = (
        f"C(visit, Treatment(reference='{baseline}'))[T.{final}]:"
        f"C(arm, Treatment(reference='{control}'))[T.{arm}]"
    )
    if term not in fit.params.index:
        return None
    effect, se = float(fit.params[term]), float(fit.bse[term])
    if not math.isfinite(se):
        return None
    from scipy import stats

    z = stats.norm.ppf(0.5 + CI / 2)
    low, high = effect - z * se, effect + z * se
    p = float(2 * stats.norm.sf(abs(effect / se)))
    base = rows[rows["visit"] == baseline][["arm", "value"]].rename(columns={"value": "baseline"})
    d, d_low, d_high = _standardised(base, effect, low, high)
    counts = rows.drop_duplicates("participant")["arm"].value_counts()
    return Estimate(
        endpoint,
        "mixed",
        arm,
        control,
        effect,
        low,
        high,
        p,
        int(rows["participant"].nunique()),
        int(counts.get(arm, 0)),
        int(counts.get(control, 0)),
        d,
        d_low,
        d_high,
        0,
        "mixed model, random intercept, all observed visits (REML)",
    )


def per_protocol_codes(data: StudyData) -> set[str]:
    """Randomised, not withdrawn, final visit complete, no major deviation, adherent if programmed."""
    definition = data.study.definition
    final = definition.endpoints.final_visit
    people = data.participants[data.participants["arm"].notna()]
    done = set(
        data.visits[(data.visits["visit"] == final) & (data.visits["status"] == "complete")]["participant"]
    )
    major = set(data.deviations[data.deviations["severity"] == "major"]["participant"])
    keep = set()
    for _, person in people.iterrows():
        programmed = definition.arm(person["arm"]).programme is not None
        adherent = (not programmed) or (
            person["adherence"] is not None
            and not pd.isna(person["adherence"])
            and person["adherence"] >= definition.per_protocol.min_adherence
        )
        if (
            person["status"] != "withdrawn"
            and person["code"] in done
            and person["code"] not in major
            and adherent
        ):
            keep.add(person["code"])
    return keep


@dataclass
class EndpointResult:
    endpoint: str
    itt: list[Estimate] = field(default_factory=list)
    pp: list[Estimate] = field(default_factory=list)
    mixed: list[Estimate] = field(default_factory=list)
    means: dict[str, dict[str, float]] = field(default_factory=dict)  # arm -> visit -> mean

    def to_dict(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "itt": [e.to_dict() for e in self.itt],
            "pp": [e.to_dict() for e in self.pp],
            "mixed": [e.to_dict() for e in self.mixed],
            "means": self.means,
        }


def analyse_endpoint(data: StudyData, endpoint: str) -> EndpointResult:
    definition = data.study.definition
    control = definition.control_arm.id
    baseline, final = definition.baseline.id, definition.endpoints.final_visit
    result = EndpointResult(endpoint)
    rows = data.tidy[data.tidy["endpoint"] == endpoint]
    for arm_id, group in rows.groupby("arm"):
        result.means[str(arm_id)] = {
            str(v): round(float(g["value"].mean()), 6) for v, g in group.groupby("visit")
        }
    if endpoint == "adherence":
        return result
    wide = data.wide(endpoint)
    middle = [v.id for v in definition.visits if v.id not in (baseline, final)]
    frame = _frame(wide, baseline, final, middle)
    pp = per_protocol_codes(data)
    for arm in definition.arms:
        if arm.id == control:
            continue
        itt = ancova_itt(frame, endpoint, arm.id, control, middle)
        if itt is not None:
            result.itt.append(itt)
        per_protocol = ancova_complete(frame[frame.index.isin(pp)], endpoint, arm.id, control, "PP")
        if per_protocol is not None:
            result.pp.append(per_protocol)
        mixed = mixed_model(data, endpoint, arm.id, control)
        if mixed is not None:
            result.mixed.append(mixed)
    return result


# --- reliability --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reliability:
    measure: str
    icc: float
    ci_low: float
    ci_high: float
    n_targets: int
    n_raters: int

    def to_dict(self) -> dict[str, Any]:
        return {
            k: (round(v, 4) if isinstance(v, float) and math.isfinite(v) else v)
            for k, v in asdict(self).items()
        }


def _icc(
    frame: pd.DataFrame, targets: str, raters: str, ratings: str, kind: str, label: str
) -> Reliability | None:
    import pingouin

    counts = frame.groupby(targets)[raters].nunique()
    complete = counts[counts == frame[raters].nunique()].index
    data = frame[frame[targets].isin(complete)]
    if data[targets].nunique() < 5 or data[raters].nunique() < 2:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        table = pingouin.intraclass_corr(data=data, targets=targets, raters=raters, ratings=ratings)
    table = table.set_index("Type")
    row = table.loc[kind if kind in table.index else LEGACY_ICC_NAMES[kind]]
    low, high = (float(v) for v in row["CI95"])
    return Reliability(
        label, float(row["ICC"]), low, high, int(data[targets].nunique()), int(data[raters].nunique())
    )


def rater_reliability(data: StudyData, column: str = "apparent_age") -> dict[str, Any]:
    """Inter-rater ICC(2,1)/ICC(2,k) and Krippendorff's alpha on first ratings; intra-rater ICC(2,1)."""
    import krippendorff

    ratings = data.ratings.dropna(subset=[column])
    first = ratings[ratings["presentation"] == 1]
    out: dict[str, Any] = {"ratings": len(ratings), "raters": int(ratings["rater"].nunique())}
    inter = _icc(first, "visit_photo_id", "rater", column, "ICC(A,1)", "inter-rater ICC(2,1)")
    inter_k = _icc(first, "visit_photo_id", "rater", column, "ICC(A,k)", "inter-rater ICC(2,k)")
    out["inter"] = None if inter is None else inter.to_dict()
    out["inter_k"] = None if inter_k is None else inter_k.to_dict()
    if first["rater"].nunique() >= 2 and first["visit_photo_id"].nunique() >= 2:
        matrix = first.pivot_table(index="rater", columns="visit_photo_id", values=column, aggfunc="mean")
        out["krippendorff_alpha"] = round(
            float(
                krippendorff.alpha(reliability_data=matrix.to_numpy(float), level_of_measurement="interval")
            ),
            4,
        )
    else:
        out["krippendorff_alpha"] = None
    repeats = ratings[ratings["presentation"] == 2][["rater", "visit_photo_id"]]
    pairs = ratings.merge(repeats, on=["rater", "visit_photo_id"])
    pairs = pairs.assign(target=pairs["rater"] + ":" + pairs["visit_photo_id"].astype(str))
    intra = _icc(pairs, "target", "presentation", column, "ICC(A,1)", "intra-rater ICC(2,1)")
    out["intra"] = None if intra is None else intra.to_dict()
    return out


# --- the model's apparent age: its own repeatability in this study ---------------------------------------


def model_age_error(data: StudyData) -> AgeError:
    """Within-visit SD of the per-photo model age (a visit's photos are same-sitting repeats)."""
    ages = data.photo_values[data.photo_values["endpoint"] == "model_age"]
    groups = [g["value"].to_list() for _, g in ages.groupby("visit_id")]
    return age_error(groups, "same-visit photos of this study")


def model_age_changes(data: StudyData, error: AgeError) -> dict[str, dict[str, int]]:
    """Per arm: participants whose model age changed beyond the visit mean's MDC95, either way, or not."""
    definition = data.study.definition
    per_visit = error.for_mean_of(definition.photos_per_visit)
    wide = data.wide("model_age")
    out: dict[str, dict[str, int]] = {}
    for arm_id, rows in wide.groupby("arm"):
        change = rows[definition.endpoints.final_visit] - rows[definition.baseline.id]
        change = change.dropna()
        beyond = [c for c in change if beyond_error(float(c), per_visit)]
        out[str(arm_id)] = {
            "younger": sum(c < 0 for c in beyond),
            "older": sum(c > 0 for c in beyond),
            "within_error": int(len(change) - len(beyond)),
            "measured": len(change),
        }
    return out


@dataclass
class StudyAnalysis:
    study: str
    today: str
    endpoints: dict[str, EndpointResult]
    reliability: dict[str, Any]
    model_age_error: dict[str, Any]
    model_age_changes: dict[str, dict[str, int]]
    per_protocol: list[str]
    missing_data: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "study": self.study,
            "today": self.today,
            "endpoints": {k: v.to_dict() for k, v in self.endpoints.items()},
            "reliability": self.reliability,
            "model_age_error": self.model_age_error,
            "model_age_changes": self.model_age_changes,
            "per_protocol": sorted(self.per_protocol),
            "missing_data": self.missing_data,
        }


MISSING_DATA = (
    "Intention to treat: all randomised participants in their allocated arm. Missing final-visit values are "
    f"multiply imputed ({IMPUTATIONS} imputations) within each arm from the baseline and, where measured, "
    "the week-8 value, assuming missing at random given arm and earlier visits; estimates combined with "
    "Rubin's rules. The mixed model uses every observed visit under the same assumption. Per protocol: "
    "complete cases only."
)


def analyse(data: StudyData, endpoints: list[str] | None = None) -> StudyAnalysis:
    """Every endpoint of the protocol (or those given), reliability, and the model age's own error."""
    names = endpoints or list(data.study.definition.endpoint_names)
    error = model_age_error(data)
    return StudyAnalysis(
        study=data.study.slug,
        today=data.today.isoformat(),
        endpoints={name: analyse_endpoint(data, name) for name in names},
        reliability={
            "apparent_age": rater_reliability(data, "apparent_age"),
            "upper_cheek": rater_reliability(data, "upper_cheek"),
            "lower_cheek": rater_reliability(data, "lower_cheek"),
        },
        model_age_error={
            "photo": error.to_dict(),
            "visit_mean": error.for_mean_of(data.study.definition.photos_per_visit).to_dict(),
        },
        model_age_changes=model_age_changes(data, error),
        per_protocol=sorted(per_protocol_codes(data)),
        missing_data=MISSING_DATA,
    )
