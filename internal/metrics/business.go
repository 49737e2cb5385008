package metrics

// ChurnRate is customers lost in the period / customers at its start, in
// percent with a Wilson 95 % interval. Losses above the starting base (which
// can only come from customers acquired and lost within the period) are capped
// at the base.
func ChurnRate(lost, atStart int) Estimate {
	return proportionEstimate(lost, atStart)
}

// RetentionRate is (customers at end − new customers) / customers at start, in
// percent with a Wilson 95 % interval: the share of the starting base still
// there at the end. Negative or over-full counts from inconsistent inputs are
// clamped to [0, start].
func RetentionRate(atStart, atEnd, newCustomers int) Estimate {
	return proportionEstimate(atEnd-newCustomers, atStart)
}

// HistoricalLTV is a customer's lifetime value to date: the sum of their
// revenue amounts (refunds as negative amounts).
func HistoricalLTV(amounts []float64) float64 {
	// Kahan summation keeps cents exact over long histories.
	var sum, comp float64
	for _, a := range amounts {
		y := a - comp
		t := sum + y
		comp = (t - sum) - y
		sum = t
	}
	return sum
}

// ARPU is average revenue per user: revenue / customers over the same period,
// 0 when there are no customers.
func ARPU(revenue float64, customers int) float64 {
	if customers <= 0 {
		return 0
	}
	return revenue / float64(customers)
}

// PredictedLTV is ARPU × gross margin / churn rate, where ARPU and the churn
// rate (a fraction, not percent) are per the same period and grossMargin is a
// fraction. The expected lifetime 1/churn is unbounded when no churn has been
// observed, so with churnRate ≤ 0 it returns ok = false rather than infinity.
func PredictedLTV(arpu, grossMargin, churnRate float64) (ltv float64, ok bool) {
	if churnRate <= 0 {
		return 0, false
	}
	return arpu * grossMargin / churnRate, true
}

// PredictedLTVCapped is PredictedLTV with the expected lifetime capped at
// maxPeriods, so young workspaces with little or no churn still get a finite,
// conservative number.
func PredictedLTVCapped(arpu, grossMargin, churnRate, maxPeriods float64) float64 {
	lifetime := maxPeriods
	if churnRate > 0 && 1/churnRate < maxPeriods {
		lifetime = 1 / churnRate
	}
	return arpu * grossMargin * lifetime
}

// RevenueAtRisk is Σ risk × annual revenue over customers; risk[i] is the churn
// probability of the customer whose annual revenue is revenue[i]. Extra entries
// in the longer slice are ignored.
func RevenueAtRisk(risk, revenue []float64) float64 {
	var sum float64
	for i := range min(len(risk), len(revenue)) {
		sum += clamp(risk[i], 0, 1) * revenue[i]
	}
	return sum
}
