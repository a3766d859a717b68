"""Name and place lists for the synthetic council. Invented combinations; no real people."""

FEMALE_OLDER = (
    'Margaret', 'Patricia', 'Jean', 'Joan', 'Dorothy', 'Barbara', 'Shirley', 'Sheila', 'Maureen', 'Brenda',
    'Joyce', 'Valerie', 'Pauline', 'Eileen', 'Doreen', 'Audrey', 'Irene', 'Sylvia', 'Betty', 'Kathleen',
    'Mary', 'Elizabeth', 'Ann', 'Janet', 'Christine', 'Sandra', 'Susan', 'Carol', 'Linda', 'Gillian',
    'Marion', 'Rita', 'Iris', 'Violet', 'Edna', 'Gladys', 'Hilda', 'Vera', 'Evelyn', 'Winifred', 'Ruth',
    'Jennifer', 'Judith', 'Rosemary', 'Elsie', 'Olive', 'Lilian', 'Mavis',
)
MALE_OLDER = (
    'John', 'David', 'Michael', 'Peter', 'Robert', 'Brian', 'Alan', 'Anthony', 'Kenneth', 'Roy', 'Dennis',
    'Derek', 'Raymond', 'Ronald', 'Terence', 'Keith', 'Colin', 'Barry', 'Geoffrey', 'Trevor', 'Malcolm',
    'Graham', 'Roger', 'Leslie', 'Stanley', 'Frank', 'Albert', 'Arthur', 'George', 'Harold', 'Norman',
    'Eric', 'Donald', 'Gordon', 'Bernard', 'Alfred', 'Frederick', 'Leonard', 'Ernest', 'Walter', 'Thomas',
    'William', 'James', 'Richard', 'Stephen', 'Christopher',
)
FEMALE_YOUNGER = (
    'Sarah', 'Emma', 'Laura', 'Rebecca', 'Claire', 'Lisa', 'Nicola', 'Kelly', 'Gemma', 'Amy', 'Hannah',
    'Jessica', 'Charlotte', 'Sophie', 'Lauren', 'Rachel', 'Michelle', 'Joanne', 'Natalie', 'Kirsty',
    'Amanda', 'Helen', 'Victoria', 'Zoe', 'Stacey', 'Leanne', 'Danielle', 'Jade', 'Chloe', 'Megan', 'Aisha',
    'Fatima', 'Priya', 'Amira', 'Olivia', 'Ella', 'Grace', 'Holly', 'Katie', 'Lucy',
)
MALE_YOUNGER = (
    'James', 'Daniel', 'Matthew', 'Andrew', 'Mark', 'Paul', 'Christopher', 'Thomas', 'Ryan', 'Adam', 'Luke',
    'Jamie', 'Craig', 'Lee', 'Darren', 'Wayne', 'Scott', 'Gareth', 'Liam', 'Callum', 'Jordan', 'Nathan',
    'Ben', 'Samuel', 'Joshua', 'Oliver', 'Jack', 'Harry', 'Connor', 'Kieran', 'Mohammed', 'Ali', 'Omar',
    'Imran', 'Tariq', 'Arjun', 'Ravi', 'Kwame', 'Tyrone', 'Marcus',
)
SURNAMES = (
    'Smith', 'Jones', 'Taylor', 'Brown', 'Williams', 'Wilson', 'Johnson', 'Davies', 'Robinson', 'Wright',
    'Thompson', 'Evans', 'Walker', 'White', 'Roberts', 'Green', 'Hall', 'Wood', 'Jackson', 'Clarke', 'Patel',
    'Khan', 'Lewis', 'James', 'Phillips', 'Mason', 'Mitchell', 'Rose', 'Davis', 'Rodriguez', 'Cox',
    'Alexander', 'Morgan', 'Moore', 'Hughes', 'Scott', 'Harris', 'Turner', 'Baker', 'Hill', 'Edwards',
    'Clark', 'Young', 'Cooper', 'King', 'Lee', 'Martin', 'Allen', 'Ward', 'Carter', 'Morris', 'Parker',
    'Bennett', 'Cook', 'Bell', 'Shaw', 'Richardson', 'Collins', 'Watson', 'Murphy', 'Bailey', 'Chapman',
    'Ellis', 'Webb', 'Marshall', 'Gray', 'Holmes', 'Harrison', 'Kelly', 'Butler', 'Barnes', 'Fisher', 'Hunt',
    'Palmer', 'Mills', 'Grant', 'Knight', 'Lloyd', 'Stevens', 'Price', 'Russell', 'Dixon', 'Fletcher',
    'Pearson', 'Begum', 'Hussain', 'Ahmed', 'Singh', 'Kaur', 'Akhtar', 'Okafor', 'Mensah', 'Campbell',
    'Stewart', 'Reid', 'Murray', 'Kennedy', 'Gibson', 'Fox', 'Spencer', 'Doyle', "O'Brien", 'Byrne', 'Nowak',
    'Kowalski', 'Johnston', 'Armstrong', 'Hamilton', 'Graham', 'Wallace', 'Lawrence',
)
TOWNS = (
    ("Kingsford", "NS1"), ("Kingsford", "NS2"), ("Kingsford", "NS3"), ("Ashby Marsh", "NS4"), ("Ashby Marsh", "NS5"),
    ("Hollowmere", "NS6"), ("Hollowmere", "NS7"), ("Bramwell", "NS8"), ("Bramwell", "NS9"), ("Elmstead", "NS10"),
    ("Cressing", "NS11"), ("Low Fenby", "NS12"), ("Stanmoor", "NS13"), ("Stanmoor", "NS14"), ("Wexley", "NS15"),
    ("Wexley", "NS16"), ("Ferriby", "NS17"), ("Northwold", "NS18"), ("Thornbury Vale", "NS19"), ("Marlow Green", "NS20"),
)
STREETS = (
    "High Street", "Church Lane", "Station Road", "Mill Lane", "The Green", "Victoria Road", "Manor Close",
    "Park Avenue", "School Lane", "Orchard Way", "Queens Road", "Kings Drive", "Meadow View", "Willow Court",
    "Chapel Street", "Bridge Street", "Elm Grove", "Oak Crescent", "Beech Road", "Windsor Gardens",
)
POSTCODE_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
