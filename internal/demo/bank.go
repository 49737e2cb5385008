package demo

// Polarity of a generated text; it is derived from the item's score so that
// texts and ratings agree, as real answers mostly do.
type polarity int

const (
	negative polarity = iota
	neutral
	positive
)

// Topic keys match the analytics taxonomy, so the analyzer finds the topic
// the generator meant and dashboards can be checked against the story.
const (
	topicDelivery      = "delivery"
	topicPrice         = "price"
	topicQuality       = "product_quality"
	topicStaff         = "staff"
	topicSupport       = "support"
	topicApp           = "website_app"
	topicPayment       = "payment"
	topicWaiting       = "waiting_time"
	topicCleanliness   = "cleanliness"
	topicFood          = "food"
	topicReturns       = "returns"
	topicCommunication = "communication"
)

// bank holds one language's phrase fragments. Texts are assembled from an
// optional opener, one or two topic bodies, an optional closer and noise;
// slots in braces ({order}, {city}, {n}, {days}, {product}, {emp}, {sum},
// {a}) are filled per item so that the same fragment rarely repeats verbatim.
type bank struct {
	lang     string
	space    string // between sentences: " " for ru/en, "" for zh
	openers  [3][]string
	closers  [3][]string
	short    [3][]string
	emoji    [3][]string
	but      []string // joins a positive and a negative part of a mixed answer
	also     []string // joins two parts of the same polarity
	neutral  []string // lukewarm bodies that name no strong topic
	mention  [3][]string
	ticketHi []string
	ticketDo []string
	topics   map[string][2][]string // topic → [negative, positive] bodies
	// Story fragments: the delivery breakdown in one region and the app
	// release that broke checkout.
	incidentDelivery []string
	incidentMention  []string
	appRelease       []string
	products         []string
}
