/*
 * her2sim adjoint sensitivities (C99). Included after solver.c by models compiled with
 * adjoint=True (engine/adjoint.py); the generator then defines H2_ADJOINT, sens_coefficients
 * (Jacobian and df/dp values along the patterns SJ_R/SJ_C and SF_R/SF_C), adjoint_output_vjp
 * and adjoint_init_vjp.
 *
 * For F = sum_k wout_k . y(t_k, x(t_k), p) the gradient with respect to the differentiated
 * p slots is (CVODES/AMICI's continuous adjoint):
 *
 *   dF/dp = sum_k wout_k . dy/dp|explicit + lambda(t0)^T dx0/dp + int_t0^T lambda^T df/dp dt,
 *   lambda' = -J^T lambda between read-out times, lambda(t_k-) = lambda(t_k+) + wout_k . dy/dx.
 *
 * - Forward pass: the model's own BDF solver (solver.c, the same steps as run_member), every
 *   accepted step's dense-output polynomial (t, h, order, difference array) kept in memory, so
 *   x(t) is available anywhere in the backward pass exactly as the forward run reported it.
 * - Backward pass: lambda by TR-BDF2 (Bank et al. 1985; the L-stable ESDIRK form with the
 *   third-order embedded error estimate of Hosea & Shampine 1996, Appl Numer Math 20:21-37,
 *   filtered through the stage matrix as they recommend for stiff problems), the quadrature
 *   Q = int lambda^T df/dp dt with the method's weights on the same stages. The adjoint is linear,
 *   so each stage is one linear solve with I + h d J^T = (I - c J)^T: the forward solver's
 *   sparse LU of I - c J, solved transposed (no Newton iteration, no new structure).
 * - Pre-equilibration: first choice is the steady-state adjoint by one linear solve in Python
 *   (engine/adjoint.py steady_state_adjoint, with the Jacobian's left null space for
 *   conservation laws; adjoint_fp_dense and adjoint_init_gradient below serve it). Where that
 *   does not apply, adjoint_steady integrates lambda backward over the recorded steady-state
 *   run (AMICI's simulation-based steady-state adjoint).
 * Models with events are refused in Python (engine/adjoint.py) and here.
 */
#ifndef H2_ADJOINT
#error "adjoint.c needs a model generated with adjoint=True"
#endif
#if NEV > 0
#error "adjoint sensitivities of models with events are not supported"
#endif
#if NX != NXB
#error "adjoint.c needs the plain state (no forward-sensitivity directions)"
#endif

/* ---------------------------------------------------------------- trajectory */
typedef struct {
    long n, cap;
    double *t, *h;
    int *order;
    double *D; /* n x (MAX_ORDER + 1) x NX */
    long cursor;
} Traj;

static int traj_push(Traj *tr, const Solver *s)
{
    if (tr->n == tr->cap) {
        long cap = tr->cap ? 2 * tr->cap : 256;
        double *t = realloc(tr->t, sizeof(double) * cap);
        if (t) tr->t = t;
        double *h = realloc(tr->h, sizeof(double) * cap);
        if (h) tr->h = h;
        int *o = realloc(tr->order, sizeof(int) * cap);
        if (o) tr->order = o;
        double *D = realloc(tr->D, sizeof(double) * cap * (MAX_ORDER + 1) * (NX > 0 ? NX : 1));
        if (D) tr->D = D;
        if (!t || !h || !o || !D) return ST_BAD_INPUT;
        tr->cap = cap;
    }
    long k = tr->n++;
    tr->t[k] = s->t;
    tr->h[k] = s->h_abs;
    tr->order[k] = s->order;
    memcpy(tr->D + k * (MAX_ORDER + 1) * NX, s->D, sizeof(double) * (s->order + 1) * NX);
    return ST_OK;
}

static void traj_free(Traj *tr)
{
    free(tr->t); free(tr->h); free(tr->order); free(tr->D);
    memset(tr, 0, sizeof(*tr));
}

/* x(tt) from the step whose polynomial covers tt (the first recorded step ending at or after
   tt); the cursor makes the monotone backward sweep O(1) per call. */
static void traj_eval(Traj *tr, double tt, double *out)
{
    long k = tr->cursor;
    if (k >= tr->n) k = tr->n - 1;
    if (k < 0) k = 0;
    while (k + 1 < tr->n && tr->t[k] < tt) k++;
    while (k > 0 && tr->t[k - 1] >= tt) k--;
    tr->cursor = k;
    const double *D = tr->D + k * (MAX_ORDER + 1) * NX;
    double h = tr->h[k], t = tr->t[k];
    int order = tr->order[k];
    for (int i = 0; i < NX; i++) out[i] = D[i];
    double acc = 1.0;
    for (int j = 0; j < order; j++) {
        acc *= (tt - (t - h * j)) / (h * (1 + j));
        const double *Dj = D + (j + 1) * NX;
        for (int i = 0; i < NX; i++) out[i] += Dj[i] * acc;
    }
}

/* ---------------------------------------------------------------- forward passes */

/* From s->y at t0 to t_end, stopping at the model's time breakpoints, as run_member_in does
   (same first-step hints), recording every step. */
static int adj_forward(Solver *s, Traj *tr, double t0, int n_t, const double *t_out, double *p, long *n_steps)
{
    const Options *O = s->O;
    double t = t0, t_end = t_out[n_t - 1];
    int it = 0;
    while (it < n_t && t_out[it] <= t0) it++;
    s->t = t0;
    if (traj_push(tr, s)) return ST_BAD_INPUT; /* order 0 record: x(t0) */
    tr->h[tr->n - 1] = 1.0;
    tr->order[tr->n - 1] = 0;
    memcpy(tr->D + (tr->n - 1) * (MAX_ORDER + 1) * NX, s->y, sizeof(double) * NX);
    while (it < n_t && t < t_end) {
        double stop = t_end;
#if NTB > 0
        {
            double tb[NTB];
            model_time_breaks(p, tb);
            for (int k = 0; k < NTB; k++)
                if (tb[k] > t && tb[k] < stop) stop = tb[k];
        }
#else
        (void)p;
#endif
        s->t_hint = t_out[it] < stop ? t_out[it] : stop;
        int status = bdf_start(s, t, stop);
        if (status) return status;
        while (s->t < stop) {
            double t_old;
            status = bdf_step(s, &t_old);
            if (status) return status;
            if (s->st.n_steps > O->max_steps) return ST_MAX_STEPS;
            if (traj_push(tr, s)) return ST_BAD_INPUT;
        }
        t = stop;
        if (s->t > stop) { /* the last step overshot the stop: continue from the stop exactly */
            double xs[NX > 0 ? NX : 1];
            dense_eval(s, stop, xs);
            memcpy(s->y, xs, sizeof(double) * NX);
        }
        while (it < n_t && t_out[it] <= t) it++;
    }
    *n_steps = s->st.n_steps;
    return ST_OK;
}

static int traj_push_step(void *ctx, const Solver *s) { return traj_push((Traj *)ctx, s); }

/* run_steady_state, recording every step; the steady state is left in s->y. */
static int adj_forward_steady(Solver *s, Traj *tr)
{
    int status = bdf_start(s, 0.0, s->O->ss_tmax);
    if (status) return status;
    if (traj_push(tr, s)) return ST_BAD_INPUT;
    tr->h[tr->n - 1] = 1.0;
    tr->order[tr->n - 1] = 0;
    memcpy(tr->D + (tr->n - 1) * (MAX_ORDER + 1) * NX, s->y, sizeof(double) * NX);
    return steady_state_loop(s, traj_push_step, tr);
}

/* ---------------------------------------------------------------- backward pass */

#define NJA (NJAC0 > 0 ? NJAC0 : 1)
#define NFA (NFP > 0 ? NFP : 1)
#define NWA (NWRT > 0 ? NWRT : 1)
#define NXA (NX > 0 ? NX : 1)

typedef struct {
    double Jv[NJA], Fp[NFA], x[NXA];
} Coeffs;

static void adj_coeffs(Traj *tr, double t, const double *p, Coeffs *c)
{
    double w[NW];
    traj_eval(tr, t, c->x);
    compute_w(t, c->x, p, w);
    sens_coefficients(t, c->x, p, w, c->Jv, c->Fp);
}

/* k = -J^T lam, g = -(df/dp)^T lam */
static void adj_apply(const Coeffs *c, const double *lam, double *k, double *g)
{
    for (int i = 0; i < NX; i++) k[i] = 0.0;
    for (int q = 0; q < NWRT; q++) g[q] = 0.0;
    for (int n = 0; n < NJAC0; n++) k[SJ_C[n]] -= c->Jv[n] * lam[SJ_R[n]];
    for (int n = 0; n < NFP; n++) g[SF_C[n]] -= c->Fp[n] * lam[SF_R[n]];
}

/* The stage matrix I + hd J^T = (I - c J)^T with c = -hd > 0 (hd = h d, h < 0 backward): the
   forward solver's sparse factorisation of I - c J (factorise(), its fill-reducing order and
   tape, on the member's own Solver whose forward pass is over), solved transposed. A pivot that
   fails there (factorise() then pivots densely) switches to a dense LU of the transpose. */
typedef struct {
    Solver *s;
    int dense;
    double A[NXA * NXA];
    int ipiv[NXA];
    double w[NXA];
} AdjLin;

static int adj_factor(AdjLin *L, const double *Jv, double hd)
{
    Solver *s = L->s;
    memcpy(s->J, Jv, sizeof(double) * NJAC0);
    if (factorise(s, -hd) != 0) return -1;
    L->dense = s->lu_dense;
    if (!L->dense) return 0;
    double *A = L->A;
    memset(A, 0, sizeof(double) * NX * NX);
    for (int i = 0; i < NX; i++) A[i * NX + i] = 1.0;
    for (int n = 0; n < NJAC0; n++) A[SJ_C[n] * NX + SJ_R[n]] += hd * Jv[n];
    return dense_lu(A, L->ipiv, NX);
}

/* Solve (I - cJ)^T x = b in place: with P^T (I - cJ) P = L U, (I - cJ)^T = P U^T L^T P^T. */
static void adj_solve(AdjLin *L, double *b)
{
    if (L->dense) { dense_solve(L->A, L->ipiv, b, NX); return; }
    const Structure *S = L->s->S;
    const double *v = L->s->LU;
    double *w = L->w;
    for (int k = 0; k < NX; k++) w[k] = b[S->perm[k]];
    for (int i = 0; i < NX; i++) { /* U^T y = w, column by column of U^T (rows of U) */
        double yi = w[i] / v[S->diag[i]];
        w[i] = yi;
        for (int q = S->u_ptr[i]; q < S->u_ptr[i + 1]; q++) w[S->u_col[q]] -= v[S->u_slot[q]] * yi;
    }
    for (int i = NX - 1; i >= 0; i--) { /* L^T z = y, unit diagonal */
        double zi = w[i];
        for (int q = S->l_ptr[i]; q < S->l_ptr[i + 1]; q++) w[S->l_col[q]] -= v[S->l_slot[q]] * zi;
    }
    for (int k = 0; k < NX; k++) b[S->perm[k]] = w[k];
}

typedef struct {
    const Options *O;
    double rtol;
    long max_steps;
    long n_steps, n_rejected;
} AdjControl;

/* The start of the forward step that covers times just below t (t_lo if none is later). */
static double traj_step_start(Traj *tr, double t, double t_lo)
{
    long k = tr->cursor;
    if (k >= tr->n) k = tr->n - 1;
    if (k < 0) k = 0;
    while (k + 1 < tr->n && tr->t[k] < t) k++;
    while (k > 0 && tr->t[k - 1] >= t) k--;
    /* now t[k-1] < t <= t[k]: the step (t[k-1], t[k]] holds t's left neighbourhood */
    double start = k > 0 ? tr->t[k - 1] : t_lo;
    return start > t_lo ? start : t_lo;
}

/* lam and the quadrature Q (added to) from t_hi down to t_lo (t_lo < t_hi). The step size is
   controlled on lam; Q is the integral of a smooth function of lam along the same stages (the
   quadrature has the order of the method, as CVODES's quadratures without error control).
   Steps end at the forward steps' boundaries: inside one forward step x(t) is one polynomial,
   across a boundary its derivative jumps by the forward error, which the backward error test
   saw as a non-smooth error (half the steps rejected on Raimundez 2020's pre-equilibration).
   *h_io: step size hint in, last step size out (positive). */
static int adj_backward(Traj *tr, AdjLin *L, const double *p, double t_hi, double t_lo, double *lam, double *Q,
                        double *h_io, AdjControl *ctl)
{
    static const double gam = 0.58578643762690485; /* 2 - sqrt(2) */
    static const double dd = 0.29289321881345243;  /* gamma / 2 */
    static const double ww = 0.35355339059327373;  /* sqrt(2) / 4 */
    const double e1 = ww - (1.0 - ww) / 3.0, e2 = ww - (3.0 * ww + 1.0) / 3.0, e3 = dd - dd / 3.0;
    Coeffs c1, c2, c3;
    double k1[NXA], k2[NXA], k3[NXA], l2[NXA], l3[NXA], err[NXA];
    double g1[NWA], g2[NWA], g3[NWA];
    double t = t_hi;
    double span = t_hi - t_lo;
    if (!(span > 0.0)) return ST_OK;
    double h = fmin(*h_io > 0.0 ? *h_io : span, span);
    adj_coeffs(tr, t, p, &c1);
    adj_apply(&c1, lam, k1, g1);
    while (t > t_lo) {
        double min_step = 10.0 * fabs(nextafter(t, -INFINITY) - t);
        if (h < min_step) h = min_step;
        double stop = traj_step_start(tr, t, t_lo);
        int last = (t - h <= stop + min_step);
        double hs = last ? -(t - stop) : -h; /* signed step */
        double t3 = last ? stop : t + hs;
        double t2 = t + gam * hs;
        /* stage 2 (trapezoidal rule to t2). The quadrature takes the method's own weights on
           the stages: with the trapezoidal rule on the step's end points instead (one
           evaluation of df/dp less per step) the stiff, fast-decaying parts of lambda were
           integrated badly on long steps (steady-state test: 5e-5 instead of 1e-8). */
        adj_coeffs(tr, t2, p, &c2);
        if (adj_factor(L, c2.Jv, hs * dd)) return ST_SINGULAR;
        for (int i = 0; i < NX; i++) l2[i] = lam[i] + hs * dd * k1[i];
        adj_solve(L, l2);
        adj_apply(&c2, l2, k2, g2);
        /* stage 3 (BDF2 to t3) */
        adj_coeffs(tr, t3, p, &c3);
        if (adj_factor(L, c3.Jv, hs * dd)) return ST_SINGULAR;
        for (int i = 0; i < NX; i++) l3[i] = lam[i] + hs * ww * (k1[i] + k2[i]);
        adj_solve(L, l3);
        adj_apply(&c3, l3, k3, g3);
        /* error: difference of the second- and third-order solutions, filtered by the stage
           matrix (Hosea & Shampine). lambda_i matters through lambda_i * dx_i: errors are
           weighed by the state's size (|x_i| + atol_i) and compared with rtol times the largest
           such product */
        double xs[NXA], lmax = 0.0;
        for (int i = 0; i < NX; i++) {
            err[i] = hs * (e1 * k1[i] + e2 * k2[i] + e3 * k3[i]);
            xs[i] = fabs(c3.x[i]) + ATOL(ctl->O, i);
            lmax = fmax(lmax, fmax(fabs(lam[i]), fabs(l3[i])) * xs[i]);
        }
        adj_solve(L, err);
        double acc = 0.0;
        for (int i = 0; i < NX; i++) {
            double sc = ctl->rtol * (fabs(l3[i]) * xs[i] + lmax) + 1e-300;
            double q = err[i] * xs[i] / sc;
            acc += q * q;
        }
        double en = NX > 0 ? sqrt(acc / NX) : 0.0;
        if (!isfinite(en)) return ST_NONFINITE;
        double fac = en > 0.0 ? 0.9 * pow(en, -1.0 / 3.0) : 5.0;
        fac = fmin(5.0, fmax(0.2, fac));
        if (en <= 1.0) {
            for (int i = 0; i < NX; i++) { lam[i] = l3[i]; k1[i] = k3[i]; }
            for (int q = 0; q < NWRT; q++) { Q[q] += hs * (ww * (g1[q] + g2[q]) + dd * g3[q]); g1[q] = g3[q]; }
            c1 = c3;
            t = t3;
            ctl->n_steps++;
            if (!last || fabs(hs) >= h) h *= fac;
            else h = fmax(h, fabs(hs) * fac); /* a step shortened to a boundary: keep the size */
            if (ctl->n_steps > ctl->max_steps) return ST_MAX_STEPS;
        } else {
            ctl->n_rejected++;
            h = fabs(hs) * fac;
            if (h < min_step) return ST_STEP_TOO_SMALL;
        }
    }
    *h_io = h;
    return ST_OK;
}

/* Step size hint at time t: the forward solver's step there. */
static double traj_h(Traj *tr, double t)
{
    double x[NXA];
    traj_eval(tr, t, x);
    long k = tr->cursor;
    return tr->order[k] > 0 ? tr->h[k] : (k + 1 < tr->n ? tr->h[k + 1] : 0.0);
}

/* ---------------------------------------------------------------- entry points */

static size_t adj_block_doubles(const Structure *S) { return solver_block_doubles(S); }

/*
 * One member's main run and its adjoint. p: inputs (modified by initial assignments as in
 * run_member); x0: start state or NULL (then model_init, and lambda(t0)^T dx0/dp is added).
 * wout: n_t x NOUT0 weights of the outputs at the read-out times. Adds dF/dp_wrt to gp (NWRT),
 * writes lambda(t0) = dF/dx(t0) to lam0 (NX). stats: forward steps, backward steps, rejected.
 */
int adjoint_member(const Structure *S, const Options *O, double rtol_b, double *p, const double *x0, int n_t,
                   const double *t_out, const double *wout, double *gp, double *lam0,
                   double *stats)
{
    double *block = malloc(sizeof(double) * adj_block_doubles(S));
    double *p_orig = malloc(sizeof(double) * (NP > 0 ? NP : 1));
    if (!block || !p_orig) { free(block); free(p_orig); return ST_BAD_INPUT; }
    Solver s;
    Traj tr;
    memset(&tr, 0, sizeof(tr));
    AdjControl ctl = {O, rtol_b, O->max_steps, 0, 0};
    AdjLin lin;
    lin.s = &s;
    lin.dense = 0;
    double lam[NXA], xk[NXA];
    long n_fwd = 0;
    int status = ST_OK;
    double t0 = n_t > 0 ? t_out[0] : 0.0;
    solver_setup(&s, S, O, p, block);
    memcpy(p_orig, p, sizeof(double) * NP);
    if (x0) { double tmp[NXA]; memcpy(s.y, x0, sizeof(double) * NX); model_init(t0, p, tmp); }
    else model_init(t0, p, s.y);
    if (!all_finite(s.y, NX)) { status = ST_NONFINITE; goto done; }
    if (n_t <= 0) goto done;
    status = adj_forward(&s, &tr, t0, n_t, t_out, p, &n_fwd);
    if (status) goto done;
    for (int i = 0; i < NX; i++) lam[i] = 0.0;
    {
        double h = 0.0;
        int started = 0;
        for (int k = n_t - 1; k >= 0; k--) {
            const double *wk = wout + (long)k * NOUT0;
            int any = 0;
            for (int n = 0; n < NOUT0; n++) if (wk[n] != 0.0) { any = 1; break; }
            if (any) {
                traj_eval(&tr, t_out[k], xk);
                adjoint_output_vjp(t_out[k], xk, p, wk, lam, gp);
                if (!started) { started = 1; h = traj_h(&tr, t_out[k]); }
            }
            double t_lo = k > 0 ? t_out[k - 1] : t0;
            if (!started || !(t_lo < t_out[k])) continue;
            /* time breakpoints inside (t_lo, t_k) are stops of the backward pass too */
            double hi = t_out[k];
            for (;;) {
                double lo = t_lo;
#if NTB > 0
                double tb[NTB];
                model_time_breaks(p, tb);
                for (int b = 0; b < NTB; b++)
                    if (tb[b] > lo && tb[b] < hi) lo = tb[b];
#endif
                status = adj_backward(&tr, &lin, p, hi, lo, lam, gp, &h, &ctl);
                if (status) goto done;
                if (lo <= t_lo) break;
                hi = lo;
            }
        }
    }
    if (!x0) adjoint_init_vjp(t0, p_orig, lam, gp);
    memcpy(lam0, lam, sizeof(double) * NX);
done:
    if (status) for (int i = 0; i < NX; i++) lam0[i] = NAN;
    if (stats) { stats[0] = (double)n_fwd; stats[1] = (double)ctl.n_steps; stats[2] = (double)ctl.n_rejected; }
    traj_free(&tr);
    free(block);
    free(p_orig);
    return status;
}

/*
 * Pre-equilibration's adjoint: the steady-state run from x0 (or model_init(0, p)) under p,
 * recorded, then lambda from lam_ss at the steady state back to time 0. Adds dF/dp_wrt to gp,
 * writes lambda(0) to lam0 and the steady state to x_ss.
 */
int adjoint_steady(const Structure *S, const Options *O, double rtol_b, double *p, const double *x0,
                   const double *lam_ss, double *gp, double *lam0, double *x_ss, double *stats)
{
    double *block = malloc(sizeof(double) * adj_block_doubles(S));
    double *p_orig = malloc(sizeof(double) * (NP > 0 ? NP : 1));
    if (!block || !p_orig) { free(block); free(p_orig); return ST_BAD_INPUT; }
    Solver s;
    Traj tr;
    memset(&tr, 0, sizeof(tr));
    AdjControl ctl = {O, rtol_b, O->max_steps, 0, 0};
    AdjLin lin;
    lin.s = &s;
    lin.dense = 0;
    double lam[NXA];
    int status = ST_OK;
    solver_setup(&s, S, O, p, block);
    memcpy(p_orig, p, sizeof(double) * NP);
    if (x0) memcpy(s.y, x0, sizeof(double) * NX); else model_init(0.0, p, s.y);
    if (!all_finite(s.y, NX)) { status = ST_NONFINITE; goto done; }
    status = adj_forward_steady(&s, &tr);
    if (status) goto done;
    memcpy(x_ss, s.y, sizeof(double) * NX);
    memcpy(lam, lam_ss, sizeof(double) * NX);
    {
        double h = traj_h(&tr, s.t);
        status = adj_backward(&tr, &lin, p, s.t, 0.0, lam, gp, &h, &ctl);
        if (status) goto done;
    }
    if (!x0) adjoint_init_vjp(0.0, p_orig, lam, gp);
    memcpy(lam0, lam, sizeof(double) * NX);
done:
    if (status) for (int i = 0; i < NX; i++) { lam0[i] = NAN; x_ss[i] = NAN; }
    if (stats) { stats[0] = (double)s.st.n_steps; stats[1] = (double)ctl.n_steps; stats[2] = (double)ctl.n_rejected; }
    traj_free(&tr);
    free(block);
    free(p_orig);
    return status;
}

/* Point evaluations for the steady-state adjoint in Python (engine/adjoint.py): the dense
   df/dp (NX x NWRT, row-major) at (t, x, p), and lam^T dx0/dp_wrt added to gp. */
void adjoint_fp_dense(double t, const double *x, const double *p, double *fp)
{
    double w[NW];
    Coeffs c;
    compute_w(t, x, p, w);
    sens_coefficients(t, x, p, w, c.Jv, c.Fp);
    memset(fp, 0, sizeof(double) * NX * NWA);
    for (int n = 0; n < NFP; n++) fp[SF_R[n] * NWA + SF_C[n]] += c.Fp[n];
}

void adjoint_init_gradient(double t, const double *p, const double *lam, double *gp)
{
    adjoint_init_vjp(t, p, lam, gp);
}

/* Read-outs at a steady state (PEtab time inf): wo . dy/dx added to gx, the explicit wo . dy/dp
   to gp. */
void adjoint_output_gradient(double t, const double *x, const double *p, const double *wo, double *gx, double *gp)
{
    adjoint_output_vjp(t, x, p, wo, gx, gp);
}
