"""The words the blog's checks listen for, in the spellings children really use.

Kept apart from checks.py so a teacher-facing change of vocabulary never touches the matching
code. Every phrase is matched on the "plain form" of the writing: lower case, apostrophes
dropped, each word replaced by its usual spelling (below), one space between words and " | "
between sentences.
"""

from __future__ import annotations

#: A child's spelling (or shorthand) and the usual form the phrase lists are written in.
SPELLINGS: dict[str, str] = {
    # Shortened forms, with and without the apostrophe.
    "im": "i am",
    "ive": "i have",
    "dont": "do not",
    "doesnt": "does not",
    "didnt": "did not",
    "cant": "can not",
    "cannot": "can not",
    "wont": "will not",
    "isnt": "is not",
    "arent": "are not",
    "wasnt": "was not",
    "youre": "you are",
    "yore": "you are",
    "theyre": "they are",
    "hes": "he is",
    "shes": "she is",
    "thats": "that is",
    "whats": "what is",
    "theres": "there is",
    "nobodys": "nobody is",
    "noones": "no one is",
    "mums": "mum s",
    "dads": "dad s",
    # Text speak and sound-spellings.
    "u": "you",
    "ya": "you",
    "yu": "you",
    "ur": "your",
    "r": "are",
    "wanna": "want to",
    "wana": "want to",
    "whant": "want",
    "wunt": "want",
    "gonna": "going to",
    "gunna": "going to",
    "gona": "going to",
    "goin": "going",
    "gotta": "have to",
    "luv": "love",
    "sum1": "someone",
    "some1": "someone",
    "sumone": "someone",
    "sumwun": "someone",
    "somone": "someone",
    "no1": "no one",
    "noone": "no one",
    "nobdy": "nobody",
    "every1": "everyone",
    "evry1": "everyone",
    "evryone": "everyone",
    "evrybody": "everybody",
    "wud": "would",
    "wuld": "would",
    "cud": "could",
    "shud": "should",
    "beter": "better",
    "betta": "better",
    "sed": "said",
    "sez": "says",
    "ses": "says",
    "coz": "because",
    "cuz": "because",
    "becos": "because",
    "becoz": "because",
    "wen": "when",
    "wot": "what",
    "wat": "what",
    "hom": "home",
    "hoam": "home",
    "ome": "home",
    "skool": "school",
    "skul": "school",
    "scool": "school",
    "shcool": "school",
    "frend": "friend",
    "frends": "friends",
    "freind": "friend",
    "freinds": "friends",
    "mom": "mum",
    "mam": "mum",
    "mummy": "mum",
    "mumy": "mum",
    "daddy": "dad",
    "stepdad": "step dad",
    "stepmum": "step mum",
    "pasword": "password",
    "passwerd": "password",
    "pasward": "password",
    "passwrd": "password",
    "pw": "password",
    "pincode": "pin code",
    "fone": "phone",
    "numba": "number",
    "numbr": "number",
    "nomber": "number",
    "bday": "birthday",
    "birfday": "birthday",
    "burthday": "birthday",
    "brithday": "birthday",
    "berthday": "birthday",
    "dob": "date of birth",
    "secert": "secret",
    "sekret": "secret",
    "secrit": "secret",
    "seecret": "secret",
    "tuch": "touch",
    "tutch": "touch",
    "tuches": "touches",
    "tuched": "touched",
    "hirts": "hurts",
    "herts": "hurts",
    "hert": "hurt",
    "hurted": "hurt",
    "kil": "kill",
    "kils": "kills",
    "meself": "myself",
    "miself": "myself",
    "myslef": "myself",
    "mysef": "myself",
    "myselfe": "myself",
    "dy": "die",
    "ded": "dead",
    "bulied": "bullied",
    "bullyed": "bullied",
    "bulyed": "bullied",
    "bullid": "bullied",
    "bullyd": "bullied",
    "bulid": "bullied",
    "bulling": "bullying",
    "buling": "bullying",
    "bullyin": "bullying",
    "buly": "bully",
    "bulys": "bullies",
    "pikd": "picked",
    "pickd": "picked",
    "pics": "pictures",
    "pix": "pictures",
    "pic": "picture",
    "pitcher": "picture",
    "pitchers": "pictures",
    "picturs": "pictures",
    "piktures": "pictures",
    "fotos": "photos",
    "foto": "photo",
    "meat": "meet",
    "meen": "mean",
    "peple": "people",
    "ppl": "people",
    "laffs": "laughs",
    "larfs": "laughs",
    "laff": "laugh",
    "scard": "scared",
    "scaird": "scared",
    "skared": "scared",
    "scaired": "scared",
    "alon": "alone",
    "hous": "house",
    "howse": "house",
    "untill": "until",
    "til": "until",
    "till": "until",
    "aftr": "after",
    "tomoro": "tomorrow",
    "2moro": "tomorrow",
    "tmrw": "tomorrow",
    "2nite": "tonight",
    "tonite": "tonight",
    "hafterm": "half term",
    "halfterm": "half term",
    "holliday": "holiday",
    "hollidays": "holidays",
    "febuary": "february",
    "feburary": "february",
    "agust": "august",
    "septmber": "september",
    "novmber": "november",
    "decmber": "december",
    "stoopid": "stupid",
    "stoopit": "stupid",
    "stupit": "stupid",
    "stuped": "stupid",
    "stewpid": "stupid",
    "dum": "dumb",
    "dumm": "dumb",
    "ugli": "ugly",
    "ugley": "ugly",
    "uggly": "ugly",
    "uglee": "ugly",
    "idjit": "idiot",
    "idiet": "idiot",
    "eejit": "idiot",
    "idot": "idiot",
    "looser": "loser",
    "loosers": "losers",
    "adress": "address",
    "addres": "address",
    "emial": "email",
    "e-mail": "email",
    "rd": "road",
}

#: Usual spellings a misspelt word may be matched to when it is not itself an English word.
FUZZY_TARGETS: tuple[str, ...] = (
    "stupid",
    "idiot",
    "pathetic",
    "worthless",
    "bullied",
    "bullying",
    "password",
    "birthday",
    "pictures",
    "picture",
    "secret",
    "myself",
    "yourself",
    "everyone",
    "someone",
    "nobody",
    "address",
    "school",
    "touched",
    "scared",
    "laughs",
    "disappear",
    "kill",
)

# --- Worries ---------------------------------------------------------------------------------

#: People at home (and anyone) who might hurt a child.
_ADULT = (
    r"(?:mum|dad|step dad|step mum|uncle|auntie|aunty|aunt|nan|nanny|grandad|grandpa|"
    r"grandma|gran|brother|big brother|sister|big sister|cousin|mum s boyfriend|dad s "
    r"girlfriend|mum s friend|dad s friend|babysitter|carer|he|she|they|a man|a lady|someone|"
    r"somebody|parents)"
)
_HURTS = (
    r"(?:hits|hit|hurts|hurt|kicks|kicked|kick|punches|punched|beats|beat|slaps|slapped|smacks|"
    r"smacked|burns|burnt|burned|chokes|choked|strangles|strangled|bites|bit|pinches|pinched)"
)
_OFTEN = r"(?:always |keeps |keep |sometimes |often |still |really |every day |every night )?"

#: Phrases that on their own mean a child may be at risk.
WORRY_PHRASES: tuple[str, ...] = (
    # Hurting themselves, wanting to die or disappear.
    r"\b(?:kill|killing|hurt|hurting|cut|cutting|harm|harming|stab|starve) (?:my ?self)\b",
    r"\bi (?:just |really |sometimes |still |kind of )?(?:want|wanted|wish|would like|feel like "
    r"i want|keep wanting|want want) to (?:die|be dead|disappear|vanish|not be here|not exist|"
    r"not be alive|not wake up|go to sleep (?:forever|and never wake up)|end it|kill myself|"
    r"run away (?:for ever|forever|and never come back))\b",
    r"\bi (?:wish|wished) i (?:was|were|could be|had) (?:dead|never born|never been born|not "
    r"alive|not here|gone|died)\b",
    r"\bi wish i (?:could disappear|would die|could die|did not exist|was not alive)\b",
    r"\b(?:no one|nobody) (?:would|will) (?:care|miss me|notice|even notice|even care) if i\b",
    r"\b(?:everyone|everybody|they|my family|you all|people|the world) (?:would|will|are|d) "
    r"(?:be )?(?:so |much |all |a lot )?better off without me\b",
    r"\bi do not want to (?:be alive|live any ?more|live|be here any ?more|wake up|exist|be "
    r"me any ?more)\b",
    r"\b(?:end|take) my (?:own )?life\b",
    r"\b(?:makes|made|make|making) me (?:want to|wish i was|wish i were) (?:die|dead|disappear|"
    r"kill myself|not be here|not be alive)\b",
    r"\bsuicid(?:e|al)\b",
    r"\bi (?:really |just )?hate (?:my ?self|being alive|my life)\b",
    r"\bwhat is the point (?:of|in) (?:me|living|being alive|being here)\b",
    r"\bi (?:should|might as well|may as well|want to) just die\b",
    r"\bi should (?:not|never) have been born\b",
    # Hurt or frightened at home.
    rf"\b{_ADULT} {_OFTEN}{_HURTS} (?:me|us|my mum|my dad|my brother|my sister|mum|dad)\b",
    rf"\b{_ADULT} {_OFTEN}(?:touches|touched|touch|tries to touch|tried to touch|keeps "
    r"touching) (?:me|my (?:private|body|bottom|willy|privates|bum))\b",
    r"\bprivate (?:parts|bits|places)\b",
    r"\b(?:scared|afraid|frightened|terrified|too scared|do not want) (?:to go|of going|"
    r"going) home\b",
    r"\b(?:scared|afraid|frightened|terrified) of (?:my )?(?:mum|dad|step dad|step mum|uncle|"
    r"mum s boyfriend|brother|big brother|nan|grandad|parents)\b",
    r"\b(?:mum|dad|step dad|my parents|mum and dad) (?:shout|shouts|scream|screams|fight|"
    r"fights|are fighting|is fighting) (?:all the time|every night|every day|and hit|and "
    r"throw|and hurt|and break)\b",
    r"\b(?:locks|locked|lock|shut|shuts) me (?:in|out|up)\b",
    r"\b(?:no|not any|never any|not enough) food (?:at home|in the house|in our house)\b",
    r"\b(?:nobody|no one) (?:feeds|makes (?:me )?(?:dinner|tea|food) for) me\b",
    r"\bi (?:am|get) not allowed (?:to eat|any food|dinner)\b",
    r"\bi (?:do not|never) (?:feel|am not) safe (?:at home|at my house|in my house)\b",
    r"\bi am not safe\b",
    r"\bgets? (?:really |very )?drunk and (?:hits|hurts|shouts|screams)\b",
    # Secrets with an adult.
    r"\bour (?:little |special |own )?secret\b(?! (?:den|hideout|base|club|code|handshake|"
    r"recipe|garden|camp|hq|mission|door|passage|place|tunnel|room|society|agent|word|game))",
    r"\b(?:do not|never|dont) tell (?:your|my|ur) (?:mum|dad|parents|mum or dad|mum and dad|"
    r"teacher|family|grown ?ups)\b",
    # Pictures of the child.
    r"\b(?:send|sent|show|give) (?:me |him |her |them )?(?:a |some |any |your |more )?(?:picture|"
    r"pictures|photo|photos|selfie|selfies|video|videos) (?:of (?:you|yourself|your ?self|your "
    r"body|me|myself|my ?self)|without|in your (?:pyjamas|pjs|underwear|bedroom|pants))\b",
    # Being bullied.
    r"\bi (?:am |get |got |keep getting |have been |been |was |kept getting |keep being |am "
    r"being |was being |always get |still get |always |still )(?:bullied|picked on|called "
    r"names|beaten up|left out|teased|hit|kicked|pushed|punched)\b",
    r"\b(?:they|he|she|everyone|everybody|people|some kids|kids|the big kids|the older kids|"
    r"the year \w+|year \w+|the older ones|the big ones|"
    r"the boys|the girls|boys|girls|some children|children|some people) (?:always |keep |keeps "
    r"|still |all )?(?:bully|bullies|bullying|bullied|pick on|picks on|picking on|laugh at|"
    r"laughs at|laughing at|make fun of|makes fun of|making fun of|hit|hits|kick|kicks|push|"
    r"pushes|punch|punches|trip|trips|gang up on|ganged up on|are mean to|is mean to) me\b",
    r"\b(?:is|are|keeps|keep) bullying me\b",
    r"\b(?:no one|nobody) (?:plays|will play|wants to play|likes|talks to|wants to be friends "
    r"with|wants to sit with|cares about|loves) (?:with )?me\b",
    r"\b(?:scared|afraid|too scared|frightened) (?:to|of) (?:go|going|come|coming) (?:to|into|in "
    r"to) school\b",
    r"\bi (?:have|got|have got) no (?:friends|one to play with)\b",
    r"\bi am (?:so |very |really )?(?:sad|lonely|scared|unhappy) (?:all the time|every day|every "
    r"night|at home|at school all the time)\b",
    r"\bi cry (?:every|all the time|at night|myself to sleep)\b",
)

#: Sentence cues: a worry when a sentence holds one of these *and* an online or stranger cue.
HUSH_CUES = r"\b(?:secret|secrets|do not tell|not to tell|never tell|must not tell|keep it quiet)\b"
PICTURE_CUES = (
    r"\b(?:send|sent|show|asked for|asks for|wants|wanted|asked me for|asking for|asking me for|"
    r"keeps asking for|give) (?:me |him |her |them |a |some |my |more |your )*(?:picture|"
    r"pictures|photo|photos|selfie|selfies|video|videos)\b"
)
MEET_CUES = (
    r"\b(?:meet|meet up|meeting|come round|come over|come to my house|come to his house|visit "
    r"me|see me in real life|see me irl|in real life)\b"
)
ONLINE_CUES = (
    r"\b(?:online|on line|game|games|gaming|roblox|fortnite|minecraft|tiktok|tik tok|snapchat|"
    r"discord|youtube|whatsapp|instagram|insta|chat|chatting|app|xbox|playstation|ps4|ps5|"
    r"internet|website|messaged|message|messages|dm|dms|among us|bloxburg|texted|texting)\b"
)
STRANGER_CUES = (
    r"\b(?:a man|a lady|a woman|a stranger|strangers|an adult|a grown up|a grownup|an older boy|"
    r"an older girl|a teenager|someone i do not know|somebody i do not know|a person i do not "
    r"know|a boy i do not know|a girl i do not know|people i do not know)\b"
)

# --- Unkind phrases --------------------------------------------------------------------------

#: Words that are only unkind when aimed at someone ("you dummy", not "the baby's dummy").
AIMED_ONLY = frozenset({"dummy", "dummies", "loser", "losers", "looser", "loosers", "freak"})
#: Words before an unkind word that show it is aimed at someone.
AIMING_WORDS = frozenset(
    "you your youre u ur yous is are such total big what hes shes theyre".split()
)
#: Book and film titles children write about that contain an "unkind" word.
STORY_TITLES: tuple[str, ...] = (
    "the ugly duckling",
    "ugly duckling",
    "diary of a wimpy kid",
    "the stupid",
    "dirty bertie",
    "the twits",
    "the stinky cheese man",
    "the ugly five",
    "ugly sisters",
    "the dumb bunnies",
    "loser list",
    "the loser list",
)

#: Unkind phrases and threats, matched on the plain form.
UNKIND_PHRASES: tuple[str, ...] = (
    r"\b(?:nobody|no one) (?:wants|likes|cares about|will play with|loves|needs|will ever like) "
    r"you\b",
    r"\b(?:nobody|no one) wants you here\b",
    r"\b(?:everyone|everybody) (?:hates|laughs at|is laughing at|thinks you are) you\b",
    r"\b(?:everyone|everybody) (?:hates|laughs at) you\b",
    r"\b(?:everyone|everybody) laughs at you\b",
    r"\byou (?:are|were|look|is) (?:so |really |very |a |such a |well )*(?:fat|smelly|annoying|"
    r"weird|rubbish|useless|a baby|disgusting|horrible|gross|thick|a nobody|nothing)\b",
    r"\byour (?:so |really |very |well )?(?:fat|smelly|ugly|stupid|dumb|thick|weird|useless|"
    r"rubbish|a baby|a nobody)\b",
    r"\byou (?:smell|stink|stinks)\b",
    r"\byou can not (?:play|sit|come) with us\b",
    r"\byou are not (?:our|my) friend(?: any ?more)?\b",
    r"\bno one wants to be your friend\b",
    r"\bgo (?:and )?die\b",
    r"\bdrop dead\b",
    r"\bkill your ?self\b",
    r"\bkys\b",
    r"\b(?:i am|i|we are|we|i will|we will) (?:going to|gonna|will|am going to|are going to) "
    r"(?:get|hit|punch|kick|beat|batter|smash|hurt|kill|bash|thump|stab|beat up|get you and) "
    r"you(?! a\b| an\b| some\b| the\b| something\b| one\b| your\b| my\b| anything\b| more\b| "
    r"lots\b| all\b| two\b| to\b)\b",
    r"\bwatch your back\b",
    r"\byou are dead\b",
    r"\byour dead\b",
    r"\byou will be sorry\b",
    r"\b(?:i will|i am going to|we will) (?:get|find|hurt) you (?:after school|at home time|at "
    r"break|at lunch|at playtime|tomorrow)\b",
)

# --- Personal details in words ---------------------------------------------------------------

PLATFORMS = (
    r"(?:roblox|minecraft|fortnite|tiktok|tik tok|snapchat|snap|instagram|insta|discord|xbox|"
    r"playstation|psn|ps4|ps5|youtube|whatsapp|switch|nintendo|steam|among us|twitch|facebook|"
    r"kik|messenger|game|gaming|online)"
)
#: Words after "my password is" that describe it rather than give it away.
NOT_A_SECRET = frozenset(
    "a an the secret private long strong safe important hard easy something never not always "
    "like made different very really too so should must can and you your changed new special "
    "good bad yours mine hidden only for to on in my our his her what that this it is".split()
)
#: Words before "school" that name a kind of school, not which school.
NOT_A_SCHOOL_NAME = frozenset(
    "a the big new old swimming dance forest sunday football drama summer holiday my our high "
    "secondary middle boarding nursery music ballet karate after breakfast riding art this that "
    "another different every her his their your to at big brothers sisters".split()
)
#: Games and made-up worlds: an "address" in one is part of a game.
GAME_CUES = (
    r"\b(?:bloxburg|roblox|minecraft|fortnite|sims|animal crossing|adopt me|brookhaven|"
    r"in the game|my game|level|lego city|toca|world of|in my world|pokemon|mario|zelda)\b"
)

NUMBER_WORDS = (
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety "
    "hundred"
).split()

MONTHS = (
    "january february march april may june july august september october november december jan "
    "feb mar apr jun jul aug sep sept oct nov dec"
).split()
