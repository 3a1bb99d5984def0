"""Words and names the demo texts are made of.

Searching a demo desk should feel like searching a real one: a handful of words occur in a large
share of tickets ("account", "error"), most occur rarely, so a search for an uncommon word narrows
the list to a few hundred tickets out of a million. Draws follow a Zipf-like law over the word
list (`zipf_weights`); the list order below is the rank order, most common first, roughly.

Every entry is plain lowercase ASCII, so a word is its own search form (domain.search folds it to
itself); names of people carry accents on purpose, to show accent-insensitive search.
"""

from __future__ import annotations

import numpy as np

WORDS: tuple[str, ...] = tuple(dict.fromkeys("""
account error issue problem order invoice payment customer update login password email page
report data file app screen time system support user team order delivery refund card plan
message setting access price option service phone number version feature dashboard browser
link code request change server mobile week today yesterday morning afternoon evening month
help thanks again still please trying work working broken missing wrong slow fast new old
first last next every other same different whole several many few more less most least
device window button menu form field list table chart export import sync upload download
print printer label scanner receipt ticket status history profile address name company office
store warehouse shipment package tracking carrier courier parcel return exchange discount coupon
subscription renewal cancellation trial upgrade downgrade billing charge fee tax credit debit
bank transfer wallet balance statement quote contract license seat renewal agreement signature
document attachment screenshot video photo image picture logo font color theme layout template
project task calendar meeting schedule reminder notification alert alarm sound volume camera
microphone speaker headset keyboard mouse monitor laptop desktop tablet router modem network
wifi connection signal cable adapter charger battery power outlet firmware driver plugin addon
extension integration webhook endpoint token certificate domain hostname proxy firewall vpn
database backup restore archive folder drive storage quota limit usage bandwidth latency timeout
crash freeze hang lag glitch bug defect regression outage incident downtime maintenance
migration deployment release patch hotfix rollback build install uninstall reinstall restart
reboot reset refresh reload clear cache cookie session logout signup register verify confirm
activate deactivate enable disable block unblock lock unlock suspend resume pause stop start
open close save delete remove edit rename move copy paste share invite assign approve reject
submit send receive forward reply attach detach search filter sort group merge split combine
compare review check test validate measure count calculate estimate forecast budget invoice
accounting payroll expense receipt purchase sale revenue profit margin cost spend saving
vendor supplier partner reseller distributor client member employee manager director owner
administrator admin operator engineer developer designer analyst consultant accountant clerk
colleague assistant intern contractor freelancer volunteer student teacher parent patient
doctor nurse driver pilot chef waiter cashier guard technician mechanic electrician plumber
january february march april may june july august september october november december
monday tuesday wednesday thursday friday saturday sunday weekend holiday vacation deadline
quarter year annual monthly weekly daily hourly minute second moment period season
region country city state province county district zone area branch site location campus
building floor room desk counter lobby entrance parking garage yard dock gate lane road street
avenue highway bridge tunnel station airport port harbor terminal platform
north south east west central eastern western northern southern upper lower inner outer
big small large tiny huge long short wide narrow high low heavy light dark bright clean dirty
quick quiet loud early late soon later recent current previous former future final initial
main primary secondary backup default custom standard premium basic advanced professional
personal private public shared internal external local remote online offline manual automatic
simple complex easy hard difficult clear unclear correct incorrect valid invalid empty full
available unavailable active inactive pending approved rejected expired blocked frozen
duplicate unique single double triple multiple partial complete incomplete total entire
urgent important critical minor major severe mild strange weird odd unusual normal regular
random frequent occasional rare constant intermittent sudden gradual temporary permanent
accidental intentional automatic scheduled unexpected expected possible impossible likely
unlikely certain uncertain safe unsafe secure insecure stable unstable reliable unreliable
compatible incompatible responsive unresponsive visible invisible hidden readable blank
successful unsuccessful failed failing finished unfinished started stopped stuck delayed
overdue underpaid overpaid overcharged undercharged refunded charged billed paid unpaid
shipped delivered lost damaged broken cracked scratched bent leaking noisy loose tight
apply accept acknowledge adjust advise affect agree allow answer appear arrive ask attempt
avoid become begin believe belong borrow break bring build buy call carry catch cause choose
claim collect come complain connect consider contact contain continue convert create cut deal
decide deliver depend describe design destroy detect develop disappear discover display do
drop earn email end ensure enter escalate expect explain fail feel fill find finish fix
follow forget get give go handle happen hear hold hope identify ignore improve include increase
indicate inform insist intend investigate involve join keep know learn leave let lift like
load look lose make manage mark mean mention miss mention need notice obtain occur offer order
pay perform pick place plan play prefer prepare present prevent print proceed process produce
promise protect provide publish pull purchase push put raise reach read realize receive
recognize recommend record recover reduce refer refuse regard relate release rely remain
remember repair repeat replace report represent require resolve respond rest result retain
retry return reveal ring rise run say scan see seem sell serve set settle show sign skip
solve speak specify spend stand stay suggest supply suppose sure switch take talk tell tend
thank think throw touch track train transfer translate travel treat try turn type understand
use value wait walk want warn wash watch wear wish wonder worry write
abandoned absent abstract abundant academic acceptable accessible accurate acidic actual
adequate adjacent adorable aggressive agile alert alive alleged alternative amateur amazing
ambitious ample ancient angry annoyed anonymous anxious apparent appropriate approximate
arbitrary artificial ashamed asleep astonishing atomic attractive authentic average awake aware
awful awkward balanced bare beautiful beneficial bitter bizarre bold boring brave brief brilliant
broad brutal busy calm capable careful careless casual cautious cheap cheerful chemical chief
chronic civil classic clever close coastal coherent cold comfortable commercial common compact
competent competitive confident confused conscious conservative considerable consistent
constructive contemporary content continuous controversial convenient conventional cool
cooperative corporate costly crazy creative crucial cruel cultural curious cute dangerous dear
decent decisive deep definite deliberate delicate delighted dense dependent desperate detailed
determined digital direct disabled disappointed distant distinct diverse domestic dominant
dramatic dry due dull dynamic eager economic educational effective efficient elaborate elderly
electric electronic elegant eligible embarrassed emotional endless enormous enthusiastic
environmental equal equivalent essential ethical eventual evident exact excellent exceptional
excessive excited exciting exclusive exotic expensive experienced experimental explicit
extensive extraordinary extreme fabulous fair faithful familiar famous fancy fantastic fascinating
fashionable fatal favourable favourite federal fellow female fierce financial fine firm fiscal
flat flexible fluent foolish foreign formal fortunate fragile frank free fresh friendly frightened
frustrated functional fundamental funny generous gentle genuine giant glad global golden gorgeous
graceful gradual grand grateful grave great green grey gross guilty handsome handy happy harsh
healthy helpful helpless historic honest horrible hostile hot humble hungry ideal identical
illegal immense imminent immune impatient imperial implicit impressive inadequate inappropriate
incredible independent indirect individual industrial inevitable influential informal innocent
innovative instant intelligent intense interested interesting intimate invaluable irrelevant
isolated jealous joint junior keen kind lazy legal legitimate lengthy liberal lively logical
lonely lovely loyal lucky luxury magic magnificent mandatory marginal marine massive mature
maximum meaningful mechanical medical medieval medium mental mere metropolitan military minimal
minimum mixed mobile moderate modern modest molecular moral multiple municipal musical mutual
naked national native natural naughty neat necessary negative nervous neutral nice noble nominal
notable novel numerous objective obvious official operational optimistic orange ordinary organic
original outstanding overall overseas painful pale parallel passionate passive patient peaceful
peculiar perfect persistent pleasant polite political poor popular portable positive potential
powerful practical precious precise predictable pregnant preliminary present prestigious pretty
principal prior probable productive profitable profound progressive prominent promising proper
prospective proud provincial psychological pure purple qualified radical rapid rational raw
realistic reasonable reckless relevant relieved religious reluctant remarkable renewable
representative residential resistant respectable respective responsible restless restricted
retail rich ridiculous rigid robust romantic rough round royal rude rural sacred sad satisfied
scared scientific seasonal secret selective sensible sensitive separate serious severe sexual
sharp sheer shiny shy significant silent silly silver similar sincere skilled slight smart smooth
sociable soft solar solid sophisticated sorry sound spare spatial special specific spectacular
splendid spontaneous sporting square stale steady steep sticky stiff straightforward strategic
strict striking strong structural stubborn stunning stupid subsequent substantial subtle suburban
sufficient suitable super superb superior supportive supreme surprised suspicious sweet swift
sympathetic systematic talented tall technical tender tense terrible thick thin thorough
thoughtful tidy tired tough toxic traditional tragic transparent tremendous tricky tropical
typical ugly ultimate unable unaware uncomfortable underground unemployed unfair unfortunate
unhappy uniform universal unknown unlimited unnecessary unpleasant upset urban useful useless
usual vague valuable variable various vast verbal vertical viable vibrant vigorous violent
virtual visual vital vivid voluntary vulnerable warm weak wealthy weekly welcome wet wicked wild
willing wise wonderful wooden worried worthwhile worthy written yellow young zealous
ability absence academy accent accident accommodation accuracy achievement acid acquisition
action activity actor addition administration admission adult advantage adventure advert advice
affair agency agenda agent aid aim aircraft airline alcohol allocation allowance alliance ally
ambition amount analysis anger angle animal anniversary announcement answer anxiety apartment
apology appeal appearance appetite apple application appointment approach approval arena argument
arrangement arrest arrival arrow art article aspect assault assembly assessment asset
assignment association assumption atmosphere attack attendance attention attitude attorney
attraction auction audience audit author authority automation autumn award awareness baby
background badge bag bakery balance ball ban band bar barrier base basis basket bath battle beach
beam bean bear beat bed bedroom beef beer bell belt bench benefit bet bicycle bid bike bill
biology bird birth birthday bit bite blade blame blanket block blood board boat body bomb bond
bone bonus book boom boot border bottle bottom boundary bowl box boy brain brand bread breakfast
breath brick bride brief broadcast brother brush bubble bucket buffer bull bullet bunch burden
bureau burst bus bush business butter cabin cabinet cake campaign canal cancer candidate candle
canvas cap capacity capital captain car carbon career cargo carpet case castle cat category
ceiling celebration cell cellar cent centre century ceremony chain chair chairman challenge
chamber champion chance channel chapter character charity chart chat cheese chemistry cheque
chest chicken child childhood chip chocolate choice church cigarette cinema circle circuit
circumstance citizen civilian claim class classroom clause climate clinic clock cloth clothes
cloud club clue coach coal coast coat coffee coin collapse collection college colony column
combination comedy comfort command comment commission commitment committee communication
community comparison competition complaint component compromise computer concept concern concert
conclusion condition conference confidence conflict confusion congress consent consequence
construction consumer container context contract contrast contribution control convention
conversation conviction cook copper core corner corporation correction corridor cottage cotton
council counsel countryside couple courage course court cousin cover crack craft crash cream
creature credit crew cricket crime crisis criterion critic crop cross crowd crown cruise crystal
cup cupboard currency curriculum curtain curve cushion cycle dad damage dance danger darkness
date daughter dawn day debate debt decade decision deck declaration decline decoration decrease
defeat defence deficit definition degree delay delegate demand democracy demonstration dentist
departure deposit depression depth deputy description desert desire dessert destination
detail detective determination diagram dialogue diamond diary diet difference difficulty
dimension dinner diploma direction dirt disaster discipline discount discussion disease dish
disk dismissal disorder dispute distance distinction distribution divorce doctrine dog dollar
door dose doubt draft drama drawer drawing dream dress drink drug drum duck dust duty eagle ear
earth earthquake ease economy edge edition editor education effect effort egg election
electricity element elephant elite emergency emotion emphasis empire enemy energy engine
enquiry enterprise entertainment enthusiasm entry environment episode equation equipment era
essay estate evaluation event evidence evolution exam examination example excess excitement
excuse execution exercise exhibition exile existence exit expansion expectation expedition
experience experiment expert explanation explosion exposure expression extent eye fabric face
facility factor factory failure faith fall fame family fan fantasy farm farmer fashion fat fate
father fault favour fear feast feedback festival fiction figure film finance finding finger fire
fish fitness flag flame flavour fleet flesh flight flood flour flower fly focus fog folk food
foot football force forest fork formula fortune forum foundation fountain fraction frame framework
fraud freedom freight friend friendship fruit fuel fun fund funeral furniture gallery gap garden
garlic gas gear gender gene generation genius gesture ghost gift girl glass glove goal god gold
golf government governor grade grain grammar grant grass grave gravity grid grief grip ground
growth guarantee guest guidance guide guitar gun guy habit hair half hall hand handle harbour
hardware harm harvest hat head headline health heart heat heaven height helicopter hero hierarchy
highlight hill hint hip historian hobby hole home honey honour hook horizon horror horse hospital
host hostage hotel hour house household housing humour hunger hunter husband hut hypothesis ice
idea identity illness illusion imagination impact implication import impression improvement
incentive inch income independence index industry infection inflation influence infrastructure
ingredient inhabitant initiative injury ink inn innovation input inquiry insect insight
inspection inspector inspiration installation instance institution instruction instrument
insurance intelligence intention interaction interest interface interior interpretation
interval intervention interview introduction invasion inventory investment investor invitation
iron island item jacket jail jam jar jaw jazz jet jewellery job joke journal journalist journey
joy judge judgement juice jump jungle jury justice kettle key kick kid kidney king kingdom kiss
kit kitchen kite knee knife knot knowledge lab laboratory labour ladder lady lake lamp land
landscape language laptop laser lawn lawyer layer leader leadership leaf league lecture leg
legend legislation leisure lemon length lesson letter level liability liberty library lid lie
life lifestyle limb line lion lip liquid literature litre liver loan lock log logic loop lord
lorry loss lot love luck lunch lung luxury machine magazine magnitude mail majority male mall
mammal man management manner manufacturer manuscript map marathon marble margin market marketing
marriage mask mass master match mate material mathematics matter maximum mayor meal meaning
meat mechanism medal media medicine melody memory mention menu merchant mercy merit mess metal
method middle midnight mile milk mill mind mine mineral minister minority miracle mirror mission
mistake mixture mode model module mole molecule money monitor monkey monster mood moon morning
mortgage mother motion motivation motor mountain mouth movement movie mud mug murder muscle museum
music mystery myth nail narrative nation nature neck needle neighbour nerve nest net newspaper
night noise nominee nonsense noon norm nose note novel novelist nut oak object obligation
observation obstacle occasion ocean offence offender offering officer oil onion opera operation
opinion opponent opportunity opposition orbit orchestra organ organisation outcome outfit outlet
output oven owner oxygen pace pack page pain paint painting pair palace palm pan panel panic
paper parade paragraph parent parish park parliament participant particle party passage
passenger passion passport past pasta path patience pattern pause pavement peace peak peanut
pen penalty pencil pension pepper percentage perception performance permission person
personality perspective pet petrol phase phenomenon philosophy phrase physics piano picnic pie
piece pig pile pill pillow pin pine pipe pitch pity planet plant plastic plate player pleasure
pledge plot pocket poem poet poetry point poison pole police policy pollution pond pool
population porch portfolio portion portrait position possession possibility post pot potato
pottery pound poverty powder practice praise prayer precedent prediction preference premise
preparation presence presentation preservation president press pressure prey pride priest
prince princess principle priority prison prisoner privacy privilege prize probability
procedure producer product production profession professor programme progress promotion proof
property proportion proposal prosecution prospect protection protein protest province provision
pub publication publicity publisher pudding pulse pump punch pupil purpose puzzle qualification
quality quantity queen query question queue quota quotation rabbit race racism radiation radio
rage rail railway rain range rank rate ratio reaction reader reality reason rebellion recession
recipe recognition recommendation recovery recruitment reduction referee reference reflection
reform refrigerator refugee regime register regulation rehabilitation relation relationship
relative relief religion reluctance rent repetition replacement reporter republic reputation
rescue research reservation reserve resident resignation resistance resolution resort resource
respect response responsibility restaurant restriction retirement revenge review revision
revolution reward rhythm rice riddle ridge rifle right ring riot rise risk ritual river robot
rock rocket role roof rope rose route routine row rubber rugby ruin rule rumour runner sack
sacrifice safety sailor salad salary salmon salt sample sand sandwich satellite satisfaction
sauce sausage scale scandal scenario scene scheme scholar scholarship science scientist score
scratch screw script sculpture sea seal search seat secretary section sector security seed
selection self seminar senate senator sensation sense sentence sequence series session
settlement shadow shaft shame shape shareholder sheep sheet shelf shell shelter shift ship shirt
shock shoe shop shore shortage shot shoulder shower sibling sight silence silk sink sister skill
skin skirt sky slave sleep slice slide slogan slope slot smell smile smoke snack snake snow
soap soccer society sock software soil soldier solution son song soul soup source space
speaker specialist specimen spectrum speech speed spell sphere spider spine spirit spite sponsor
spoon sport spot spouse spray spring spy squad stable stadium staff stage stake stall stamp
stance star statue steak steam steel stem step stick stock stomach stone storm story strategy
straw strength stress stretch strike string strip stroke structure struggle studio study stuff
style subject subsidy substance suburb success sugar suit suite summary summer summit sun supper
surface surgeon surgery surplus surprise survey survival survivor suspect sweater symbol
symptom syndrome tail tale talent tank tap tape target taste teacher technique technology
teenager telephone telescope television temperature temple tenant tendency tennis tension tent
term territory terror text texture theatre theft theme theory therapy thesis thief thigh thing
thought thread threat threshold throat throne thumb thunder tide tie tiger tile timber tin tip
tissue title toast tobacco toe toilet tolerance tomato tone tongue tool tooth top topic torch
tour tourist towel tower town toy trace trade tradition traffic tragedy trail trainer training
trait tray treasure treasurer treaty tree trend trial triangle tribe tribute trick trip troop
trophy trouble truck trunk trust truth tube tune turkey tutor twin umbrella uncle union unit
universe university utility vacuum valley van variant variation vegetable vehicle vein venue
verdict verse vessel veteran victim victory view village violence violin virtue virus vision
visit visitor voice volunteer vote voter voyage wage wagon waist wall war wardrobe warning
waste water wave way wealth weapon weather web wedding weed weight welfare wheat wheel whip
whisky widow width wife wilderness wind wine wing winner winter wire witness wolf woman wood
wool word worker workshop world worm worth wound wrist writer yacht youth zero zoo
analytics api app audit authentication authorization autofill autoplay autosave backend
backlog bandwidth barcode benchmark beta blacklist blockchain bluetooth bookmark bot bounce
breadcrumb broadband buffer bundle cache captcha carousel changelog chatbot checkbox checkout
chipset cli clipboard cloud cluster codec compiler config console container cpu crm cron csv
cursor cutover dataset debug decrypt deeplink dns docker dropdown ecommerce encrypt ethernet
failover faq favicon feed firewall flowchart gateway geolocation gigabyte gpu hashtag heatmap
homepage hotspot html http https hyperlink icon inbox infographic ip iso json kernel keyword
kilobyte laptop lockout logfile lookup malware markdown megabyte metadata middleware modal
multifactor namespace navbar netbook newsletter nfc oauth onboarding opensource otp overlay
pagination passcode passphrase paywall pdf phishing pixel playlist podcast popup portal
prefetch preload preview printout profiler qr queue ransomware realtime redirect repo
rollout runtime saas sandbox screenshot scrollbar sdk sensor sharepoint sidebar sitemap
slideshow smartphone smartwatch snapshot spam spreadsheet sql ssd ssl ssh stylesheet
subdomain subfolder submenu superuser svg tablet tagline telemetry terabyte textbox thumbnail
timestamp toggle toolbar tooltip touchscreen trackpad troubleshoot tutorial twofactor ui
unsubscribe uptime url usb username ux vlan voicemail vpn walkthrough wallpaper webcam webinar
webmail webpage website whitelist widget wiki wireframe workflow workspace xml zip
acme atlas aurora beacon cascade cobalt comet compass constellation crimson delta ember
equinox falcon fjord galaxy glacier granite harbor horizon indigo jasper juniper kestrel lagoon
lumen magnolia maple meridian mesa nebula nimbus nova onyx orchid orion pinnacle polaris prism
quartz raven redwood saffron sapphire sequoia sierra solstice sparrow spruce summit tempest
terra thistle titan topaz tundra umber vertex vista willow zenith zephyr
""".split()))

FIRST_NAMES: tuple[str, ...] = tuple("""
James Mary John Patricia Robert Jennifer Michael Linda William Elizabeth David Barbara Richard
Susan Joseph Jessica Thomas Sarah Charles Karen Christopher Lisa Daniel Nancy Matthew Betty
Anthony Margaret Mark Sandra Donald Ashley Steven Kimberly Paul Emily Andrew Donna Joshua Michelle
Kenneth Carol Kevin Amanda Brian Dorothy George Melissa Timothy Deborah Ronald Stephanie Edward
Rebecca Jason Sharon Jeffrey Laura Ryan Cynthia Jacob Kathleen Gary Amy Nicholas Angela Eric
Shirley Jonathan Anna Stephen Brenda Larry Pamela Justin Emma Scott Nicole Brandon Helen Benjamin
Samantha Samuel Katherine Gregory Christine Alexander Debra Frank Rachel Patrick Carolyn Raymond
Janet Jack Catherine Dennis Maria Jerry Heather Tyler Diane Aaron Ruth Jose Julie Adam Olivia
Nathan Joyce Henry Virginia Douglas Victoria Zachary Kelly Peter Lauren Kyle Christina Noah Joan
Ethan Evelyn Jeremy Judith Walter Megan Christian Andrea Keith Cheryl Roger Hannah Terry Jacqueline
Austin Martha Sean Gloria Gerald Teresa Carl Ann Harold Sara Dylan Madison Arthur Frances Lawrence
Kathryn Jordan Janice Jesse Jean Bryan Abigail Billy Alice Bruce Judy Gabriel Sophia Joe Grace
Logan Denise Alan Amber Juan Doris Albert Marilyn Willie Danielle Elijah Beverly Wayne Isabella
Randy Theresa Vincent Diana Mason Natalie Roy Brittany Ralph Charlotte Bobby Marie Russell Kayla
Bradley Alexis Philip Lori Eugene Chloé José Zoë Renée Søren Björn Jürgen Małgorzata Łukasz
François Amélie Hélène Inés Andrés Sebastián Joaquín Ramón Núria Conceição João Raúl Zoltán
Ágnes Miloš Dragoş Çağla Özlem Émile Anaïs Noémie Jérôme Gaëlle Maëlle Léa Chloe Ana Lucía
Aiko Haruto Yuki Wei Mei Jun Hiroshi Sakura Ravi Priya Arjun Ananya Vikram Deepa Kwame Amara
Chidi Zainab Omar Fatima Yusuf Layla Hassan Leila Mateo Valentina Santiago Camila Diego Lucas
Sofia Liam Mia Oliver Ava Elena Ivan Olga Dmitri Anastasia Katarzyna Piotr Tomasz Agnieszka
Lars Ingrid Nils Astrid Erik Freya Sven Maja Pieter Sanne Daan Femke Niamh Ciaran Siobhan Aoife
""".split())

LAST_NAMES: tuple[str, ...] = tuple("""
Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez
Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris
Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill
Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips
Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers
Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson
Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders
Patel Myers Long Ross Foster Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler
Henderson Barnes Gonzales Fisher Vasquez Simmons Romero Jordan Patterson Alexander Hamilton
Graham Reynolds Griffin Wallace Moreno West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina
Aguilar Stevens Murray Ford Castro Marshall Owens Harrison Fernandez McDonald Woods Washington
Kennedy Wells Vargas Henry Chen Freeman Webb Tucker Guzman Burns Crawford Olson Simpson Porter
Hunter Gordon Mendez Silva Shaw Snyder Mason Dixon Muñoz Hunt Hicks Holmes Palmer Wagner Black
Robertson Boyd Rose Stone Salazar Fox Warren Mills Meyer Rice Schmidt Garza Daniels Ferguson
Nichols Stephens Soto Weaver Ryan Gardner Payne Grant Dunn Kelley Spencer Hawkins Arnold Pierce
Hansen Peters Santos Hart Bradley Knight Elliott Cunningham Duncan Armstrong Hudson Carroll Lane
Müller Schröder Weiß Köhler Böhm Günther Jäger Ångström Øster Nørgaard Lindqvist Johansson
Kowalski Nowak Wiśniewski Dąbrowski Lewandowski Dvořák Novák Horváth Kovács Szabó Tóth Popescu
Ionescu Yılmaz Şahin Öztürk Dubois Lefèvre Moreau Girard Bonnet Rousseau Mercier Lambert
Fontaine Chevalier Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco
Bruno Gallo Conti Costa Giordano Mancini Lombardi Moretti Barbieri Fernández González Rodríguez
López Martínez Sánchez Pérez Gómez Díaz Álvarez Jiménez Muñiz Ibáñez Peña Núñez Castaño
Araújo Gonçalves Simões Magalhães Tanaka Suzuki Takahashi Watanabe Yamamoto Nakamura
Kobayashi Sato Wang Zhang Liu Yang Huang Zhao Wu Zhou Xu Sun Ma Zhu Hu Guo Sharma Singh Kumar
Gupta Reddy Iyer Nair Menon Okafor Mensah Adeyemi Okonkwo Diallo Haddad Nasser Khalil Farouk
Ivanov Petrov Sokolov Volkov Novikov Kuznetsov Jansen Bakker Visser Smit Meijer Vries Berg
Larsen Nielsen Jensen Pedersen Andersen Eriksson Karlsson Nilsson Svensson Virtanen Korhonen
O'Brien O'Connor McCarthy Byrne Doyle Gallagher Quinn Walsh Brennan Fitzgerald MacLeod Campbell
""".split())

COMPANY_HEADS: tuple[str, ...] = tuple("""
Acme Apex Atlas Aurora Beacon Birch Blue Bright Cedar Cobalt Copper Crescent Crimson Crown
Delta Eagle Echo Ember Evergreen Falcon Fern Frontier Galaxy Garnet Golden Granite Green
Harbor Harvest Highland Horizon Indigo Iron Ivy Jade Juniper Keystone Lakeside Laurel Liberty
Lighthouse Lotus Lumen Maple Meadow Meridian Metro Midland Monarch Northwind Nova Oak Oasis
Ocean Olive Onyx Orbit Orchid Pacific Paragon Pearl Pine Pinnacle Pioneer Polar Prairie
Prime Quantum Quartz Radiant Rapid Raven Redwood Ridge River Rock Royal Sage Sapphire Sierra
Silver Skyline Solar Spruce Star Sterling Stone Summit Sun Swift Terra Thunder Tidal Titan
Topaz Trinity True Union Unity Valley Vanguard Vertex Vista Willow Wind Zenith Zephyr
""".split())

COMPANY_TAILS: tuple[str, ...] = (
    "Logistics", "Dental", "Bakery", "Consulting", "Labs", "Systems", "Retail", "Foods",
    "Health", "Legal", "Realty", "Motors", "Outfitters", "Studios", "Analytics", "Software",
    "Media", "Energy", "Pharma", "Insurance", "Travel", "Fitness", "Architects", "Electric",
    "Plumbing", "Hotels", "Farms", "Robotics", "Textiles", "Print", "Academy", "Clinic",
    "Capital", "Partners", "Supply", "Design", "Marine", "Networks", "Coffee", "Books",
)
COMPANY_FORMS: tuple[str, ...] = ("Inc.", "Ltd", "LLC", "GmbH", "S.A.", "Co.", "Group", "")

FREE_MAIL: tuple[str, ...] = ("gmail.example", "outlook.example", "mail.example", "posteo.example")


def zipf_weights(count: int, exponent: float = 1.05, shift: float = 2.7) -> np.ndarray:
    """Zipf-Mandelbrot weights for ranks 1..count, summing to 1: rank r gets 1/(r+shift)^s.

    The shift flattens the head a little, as in real text where the commonest few words are
    close in frequency; the long tail is what makes searches selective.
    """
    ranks = np.arange(1, count + 1, dtype=np.float64)
    weights = 1.0 / (ranks + shift) ** exponent
    result: np.ndarray = weights / weights.sum()
    return result
