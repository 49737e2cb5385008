package analytics

import (
	"fmt"
	"io"
	"strings"
)

// carTaxonomy maps the SentiRuEval-2015 car-review aspect categories to
// Russian stems. It doubles as an example of a workspace taxonomy.
func carTaxonomy() Taxonomy {
	t := func(key, ru string) Topic {
		return Topic{Key: key, Terms: map[string][]string{LangRU: strings.Split(ru, "|")}}
	}
	return Taxonomy{Topics: []Topic{
		t("Appearance", "дизайн|внешн|внешност|вид$|красив|кузов|цвет|салон|симпатичн|стильн|облик|смотрится|выгляд"),
		t("Comfort", "комфорт|удобн|неудобн|сиден|кресл|шумоизол|шум|тесн|простор|вместительн|багажник|климат|кондиционер|печк|подвеск|мягк|жестк|эргономик|места|обзор"),
		t("Costs", "цен|стоимост|расход|бензин|топлив|солярк|дорог|дешев|недорог|обслуживан|запчаст|налог|страховк|экономичн|деньг|рубл"),
		t("Driveability", "динамик|разгон|управля|управлен|руль|рулев|двигател|мотор|коробк|мкпп|акпп|передач|тормоз|скорост|маневрен|проходим|клиренс|трасс|едет|ездит|тянет|мощност|лошад|привод|дорогу держ"),
		t("Reliability", "надежн|ненадежн|ломал|слома|поломк|ремонт|сервис|гаранти|ржав|коррози|проблем|неисправн|глючит|отказ|заводится|не подвод|подвел|качеств|сборк"),
		t("Safety", "безопасн|подушк|abs|абс|esp|краш|ремн|ремень|авари|устойчив|надежно держ"),
	}}
}

// evalAspects measures aspect detection and aspect sentiment on the
// aspect-labelled Russian car reviews. Gold "both" and "neutral" aspects
// count for detection; sentiment accuracy is over gold positive/negative.
// The document-label baseline (every aspect gets the review's predicted
// label) shows what clause-level scoring adds.
func evalAspects(w io.Writer, a *Analyzer, exs []example) error {
	ca := a.WithTaxonomy(carTaxonomy())
	var tp, fp, fn, sentN, sentOK, docOK, goldPN, mixN, mixOK, mixDoc int
	perAspect := map[string][3]int{} // detected, correct sentiment, gold pos/neg
	for i := range exs {
		e := &exs[i]
		if len(e.Aspects) == 0 {
			continue
		}
		r := ca.Analyze(e.Text, LangRU)
		mixed := false
		{
			var hasPos, hasNeg bool
			for _, g := range e.Aspects {
				hasPos = hasPos || g == "positive"
				hasNeg = hasNeg || g == "negative"
			}
			mixed = hasPos && hasNeg
		}
		got := map[string]Aspect{}
		for _, as := range r.Aspects {
			got[as.Aspect] = as
		}
		for k := range got {
			if _, ok := e.Aspects[k]; !ok {
				fp++
			}
		}
		for k, gold := range e.Aspects {
			as, ok := got[k]
			pa := perAspect[k]
			if ok {
				tp++
				pa[0]++
			} else {
				fn++
			}
			if gold == "positive" || gold == "negative" {
				goldPN++
				pa[2]++
				if r.Label == gold {
					docOK++
				}
				if ok {
					sentN++
					if as.Label == gold {
						sentOK++
						pa[1]++
					}
					if mixed {
						mixN++
						if as.Label == gold {
							mixOK++
						}
						if r.Label == gold {
							mixDoc++
						}
					}
				}
			}
			perAspect[k] = pa
		}
	}
	p := float64(tp) / float64(max(1, tp+fp))
	rc := float64(tp) / float64(max(1, tp+fn))
	fmt.Fprintf(w, "aspect detection: precision %.3f recall %.3f F1 %.3f (tp %d fp %d fn %d)\n", p, rc, 2*p*rc/max(1e-9, p+rc), tp, fp, fn)
	fmt.Fprintf(w, "aspect sentiment on detected gold pos/neg aspects: %d/%d = %.3f\n", sentOK, sentN, float64(sentOK)/float64(max(1, sentN)))
	fmt.Fprintf(w, "baseline (document label for every gold pos/neg aspect): %d/%d = %.3f\n", docOK, goldPN, float64(docOK)/float64(max(1, goldPN)))
	fmt.Fprintf(w, "reviews with both positive and negative aspects: aspect sentiment %d/%d = %.3f, document-label baseline %d/%d = %.3f\n", mixOK, mixN, float64(mixOK)/float64(max(1, mixN)), mixDoc, mixN, float64(mixDoc)/float64(max(1, mixN)))
	for _, k := range sortedKeys(perAspect) {
		pa := perAspect[k]
		fmt.Fprintf(w, "  %-13s detected %3d, sentiment correct %3d of %3d gold pos/neg\n", k, pa[0], pa[1], pa[2])
	}
	return nil
}
