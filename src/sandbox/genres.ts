/**
 * Genre table of the synthetic catalog: each genre has an era, a family (which picks the word
 * lists for names and labels) and a feature profile (means; the catalog adds per-track noise).
 */
import type { Rng } from './random';

export type Family =
  | 'indie' | 'pop' | 'rock' | 'metal' | 'electronic' | 'hiphop' | 'jazz' | 'soul'
  | 'classical' | 'country' | 'latin' | 'kpop' | 'jpop' | 'folk' | 'afro';

export interface FeatureProfile {
  tempo: number; energy: number; danceability: number; valence: number; acousticness: number;
  instrumentalness: number; liveness: number; speechiness: number; loudness: number;
  major: number; duration: number; explicit: number; waltz?: number;
}

export interface GenreDef {
  name: string;
  family: Family;
  era: [number, number];
  profile: FeatureProfile;
}

const p = (
  tempo: number, energy: number, danceability: number, valence: number, acousticness: number,
  instrumentalness: number, speechiness: number, loudness: number, duration: number,
  extra: Partial<FeatureProfile> = {},
): FeatureProfile => ({
  tempo, energy, danceability, valence, acousticness, instrumentalness, speechiness, loudness,
  duration, liveness: 0.15, major: 0.6, explicit: 0.05, ...extra,
});

export const GENRES: GenreDef[] = [
  { name: 'indie pop', family: 'indie', era: [2003, 2026], profile: p(118, 0.62, 0.62, 0.55, 0.25, 0.05, 0.04, -7, 215) },
  { name: 'dream pop', family: 'indie', era: [1985, 2026], profile: p(105, 0.45, 0.45, 0.35, 0.3, 0.25, 0.03, -9, 250) },
  { name: 'shoegaze', family: 'indie', era: [1988, 2026], profile: p(112, 0.75, 0.35, 0.3, 0.05, 0.35, 0.04, -7, 270) },
  { name: 'indie rock', family: 'rock', era: [1990, 2026], profile: p(124, 0.72, 0.5, 0.45, 0.12, 0.08, 0.04, -6, 225) },
  { name: 'bedroom pop', family: 'indie', era: [2012, 2026], profile: p(96, 0.4, 0.65, 0.45, 0.45, 0.1, 0.05, -10, 180) },
  { name: 'synthpop', family: 'pop', era: [1978, 2026], profile: p(120, 0.7, 0.7, 0.6, 0.08, 0.1, 0.04, -7, 230) },
  { name: 'dance pop', family: 'pop', era: [1985, 2026], profile: p(122, 0.78, 0.74, 0.62, 0.08, 0.01, 0.06, -5, 205, { explicit: 0.15 }) },
  { name: 'classic rock', family: 'rock', era: [1964, 1995], profile: p(126, 0.7, 0.48, 0.58, 0.2, 0.08, 0.04, -9, 260, { liveness: 0.25 }) },
  { name: 'punk', family: 'rock', era: [1975, 2026], profile: p(165, 0.9, 0.4, 0.55, 0.02, 0.02, 0.07, -5, 150, { explicit: 0.2 }) },
  { name: 'death metal', family: 'metal', era: [1985, 2026], profile: p(150, 0.96, 0.25, 0.12, 0.001, 0.3, 0.09, -4, 260, { major: 0.3, explicit: 0.3 }) },
  { name: 'black metal', family: 'metal', era: [1987, 2026], profile: p(160, 0.93, 0.2, 0.08, 0.002, 0.4, 0.08, -5, 330, { major: 0.25 }) },
  { name: 'deep house', family: 'electronic', era: [1988, 2026], profile: p(122, 0.7, 0.8, 0.45, 0.05, 0.7, 0.05, -8, 390) },
  { name: 'techno', family: 'electronic', era: [1988, 2026], profile: p(130, 0.85, 0.72, 0.25, 0.02, 0.85, 0.06, -7, 400, { major: 0.4 }) },
  { name: 'uk garage', family: 'electronic', era: [1996, 2026], profile: p(132, 0.78, 0.78, 0.55, 0.04, 0.3, 0.08, -6, 280) },
  { name: 'drum and bass', family: 'electronic', era: [1993, 2026], profile: p(174, 0.9, 0.55, 0.35, 0.01, 0.6, 0.08, -5, 320) },
  { name: 'ambient', family: 'electronic', era: [1975, 2026], profile: p(90, 0.18, 0.25, 0.15, 0.75, 0.9, 0.04, -20, 420, { major: 0.55 }) },
  { name: 'lo-fi hip hop', family: 'hiphop', era: [2013, 2026], profile: p(82, 0.35, 0.72, 0.45, 0.6, 0.85, 0.1, -12, 140) },
  { name: 'boom bap', family: 'hiphop', era: [1986, 2026], profile: p(92, 0.7, 0.78, 0.55, 0.12, 0.02, 0.3, -7, 230, { explicit: 0.6 }) },
  { name: 'trap', family: 'hiphop', era: [2005, 2026], profile: p(140, 0.65, 0.75, 0.35, 0.1, 0.01, 0.25, -6, 180, { explicit: 0.8 }) },
  { name: 'hard bop', family: 'jazz', era: [1954, 2026], profile: p(150, 0.5, 0.5, 0.55, 0.7, 0.8, 0.05, -12, 390, { liveness: 0.35 }) },
  { name: 'cool jazz', family: 'jazz', era: [1949, 2026], profile: p(115, 0.3, 0.55, 0.45, 0.85, 0.75, 0.05, -15, 330, { liveness: 0.3 }) },
  { name: 'vocal jazz', family: 'jazz', era: [1945, 2026], profile: p(105, 0.3, 0.5, 0.4, 0.85, 0.02, 0.05, -13, 210) },
  { name: 'neo soul', family: 'soul', era: [1995, 2026], profile: p(90, 0.5, 0.68, 0.5, 0.3, 0.05, 0.08, -8, 260, { explicit: 0.15 }) },
  { name: 'motown', family: 'soul', era: [1959, 1990], profile: p(118, 0.62, 0.68, 0.8, 0.35, 0.01, 0.05, -9, 170, { major: 0.75 }) },
  { name: 'funk', family: 'soul', era: [1965, 2026], profile: p(108, 0.75, 0.8, 0.78, 0.15, 0.1, 0.08, -7, 280) },
  { name: 'baroque', family: 'classical', era: [1960, 2026], profile: p(100, 0.2, 0.3, 0.45, 0.95, 0.92, 0.04, -20, 240, { waltz: 0.3, liveness: 0.12 }) },
  { name: 'romantic era', family: 'classical', era: [1960, 2026], profile: p(92, 0.22, 0.25, 0.3, 0.95, 0.9, 0.04, -21, 420, { waltz: 0.25 }) },
  { name: 'outlaw country', family: 'country', era: [1968, 2026], profile: p(112, 0.55, 0.58, 0.6, 0.45, 0.01, 0.04, -9, 200, { major: 0.8 }) },
  { name: 'bluegrass', family: 'country', era: [1960, 2026], profile: p(130, 0.55, 0.55, 0.7, 0.85, 0.2, 0.04, -10, 180, { major: 0.85, waltz: 0.1 }) },
  { name: 'bossa nova', family: 'latin', era: [1958, 2026], profile: p(128, 0.3, 0.65, 0.55, 0.8, 0.2, 0.05, -14, 190) },
  { name: 'reggaeton', family: 'latin', era: [2000, 2026], profile: p(95, 0.78, 0.82, 0.65, 0.12, 0.01, 0.12, -5, 210, { explicit: 0.4 }) },
  { name: 'salsa', family: 'latin', era: [1964, 2026], profile: p(180, 0.75, 0.7, 0.85, 0.4, 0.05, 0.06, -8, 290, { major: 0.7, liveness: 0.25 }) },
  { name: 'k-pop', family: 'kpop', era: [1996, 2026], profile: p(122, 0.8, 0.72, 0.65, 0.1, 0.01, 0.08, -4, 200) },
  { name: 'j-pop', family: 'jpop', era: [1988, 2026], profile: p(130, 0.78, 0.6, 0.65, 0.15, 0.02, 0.05, -5, 240) },
  { name: 'city pop', family: 'jpop', era: [1975, 1992], profile: p(115, 0.62, 0.7, 0.72, 0.3, 0.05, 0.04, -10, 250, { major: 0.7 }) },
  { name: 'indie folk', family: 'folk', era: [2000, 2026], profile: p(108, 0.35, 0.5, 0.4, 0.78, 0.05, 0.04, -11, 230) },
  { name: 'afrobeat', family: 'afro', era: [1968, 2026], profile: p(110, 0.75, 0.8, 0.75, 0.2, 0.3, 0.07, -7, 420) },
  { name: 'afrobeats', family: 'afro', era: [2008, 2026], profile: p(105, 0.7, 0.82, 0.72, 0.15, 0.01, 0.1, -6, 200, { explicit: 0.15 }) },
];

interface Words {
  adj: string[]; noun: string[]; first: string[]; last: string[]; labels: string[];
  patterns: string[]; titleA: string[]; titleB: string[];
}

const EN_FIRST = ['Ava', 'Milo', 'June', 'Theo', 'Nora', 'Jonah', 'Iris', 'Caleb', 'Hazel', 'Felix', 'Ruby', 'Otis', 'Clara', 'Silas', 'Mae', 'Arlo', 'Ivy', 'Eli', 'Lena', 'Wes', 'Greta', 'Abe', 'Tess', 'Hank'];
const EN_LAST = ['Hart', 'Vale', 'Monroe', 'Keller', 'Ashby', 'Lind', 'Carver', 'Dorsey', 'Fairfax', 'Greer', 'Holloway', 'Jett', 'Kingsley', 'Lowell', 'Marsh', 'Noble', 'Pike', 'Quinn', 'Rowe', 'Sutter', 'Tate', 'Whitlock', 'Yates', 'Bramble'];
const TITLE_A = ['Golden', 'Quiet', 'Electric', 'Broken', 'Midnight', 'Paper', 'Silver', 'Endless', 'Hollow', 'Velvet', 'Lonely', 'Wild', 'Distant', 'Sweet', 'Burning', 'Blue', 'Northern', 'Secret', 'Falling', 'Last'];
const TITLE_B = ['Light', 'Summer', 'River', 'Heart', 'Highway', 'Dreams', 'Rain', 'City', 'Fire', 'Garden', 'Signal', 'Morning', 'Echoes', 'Shadows', 'Ocean', 'Letters', 'Stars', 'Night', 'Window', 'Season'];

const WORDS: Record<Family, Words> = {
  indie: {
    adj: ['Velvet', 'Paper', 'Neon', 'Golden', 'Pale', 'Tender', 'Honey', 'Glass', 'Lucky', 'Soft', 'Cloud', 'Lilac'],
    noun: ['Moons', 'Daydreams', 'Parade', 'Harbour', 'Satellites', 'Foxes', 'Lanterns', 'Kites', 'Orchards', 'Swimmers', 'Postcards', 'Gardens'],
    first: EN_FIRST, last: EN_LAST, labels: ['Sub Pop Sandbox', 'Bella Union Demo', 'Captured Tracks (Sandbox)', 'Dead Oceans Test'],
    patterns: ['The {adj} {noun}', '{adj} {noun}', '{first} {last}', '{noun} of {noun}'], titleA: TITLE_A, titleB: TITLE_B,
  },
  pop: {
    adj: ['Crystal', 'Neon', 'Electric', 'Starlight', 'Sugar', 'Diamond', 'Laser', 'Cherry', 'Chrome'],
    noun: ['Hearts', 'Pulse', 'Club', 'Heat', 'Mirage', 'Rush', 'Disco', 'Lights'],
    first: ['Kira', 'Dani', 'Lexi', 'Marco', 'Zara', 'Nico', 'Tyla', 'Remy', 'Skye', 'Jade', 'Cody', 'Mia'], last: ['Starr', 'Vega', 'Rey', 'Blue', 'Knox', 'Sol', 'Lane', 'Cruz', 'Love', 'Gold'],
    labels: ['Polydor Sandbox', 'Big Beat Demo', 'Pop Factory Records'],
    patterns: ['{first} {last}', '{adj} {noun}', '{first}', '{adj}{noun}'], titleA: TITLE_A, titleB: TITLE_B,
  },
  rock: {
    adj: ['Rolling', 'Black', 'Iron', 'Electric', 'Crimson', 'Wild', 'Loose', 'Rusty', 'Steel', 'Thunder'],
    noun: ['Stones', 'Wolves', 'Riders', 'Kings', 'Engines', 'Horses', 'Saints', 'Outlaws', 'Rebels', 'Vultures'],
    first: EN_FIRST, last: EN_LAST, labels: ['Matador Sandbox', 'Harvest Demo', 'Rough Trade Test', 'Garage Kings Records'],
    patterns: ['The {adj} {noun}', '{adj} {noun}', '{first} {last} Band', 'The {noun}'], titleA: TITLE_A, titleB: TITLE_B,
  },
  metal: {
    adj: ['Grave', 'Abyssal', 'Necrotic', 'Frost', 'Ashen', 'Putrid', 'Infernal', 'Obsidian', 'Cursed', 'Funeral'],
    noun: ['Throne', 'Covenant', 'Dominion', 'Sepulchre', 'Tyrant', 'Wraith', 'Crypt', 'Monolith', 'Serpent', 'Oblivion'],
    first: ['Ragnar', 'Vex', 'Morg', 'Skarn'], last: ['Bane', 'Hellgrind', 'Dread', 'Cairn'],
    labels: ['Relapse Sandbox', 'Nuclear Blast Demo', 'Profound Lore Test'],
    patterns: ['{adj} {noun}', '{noun} of {noun}', '{adj}{noun}', '{noun}'], titleA: ['Ritual', 'Blood', 'Frozen', 'Eternal', 'Rotting', 'Black', 'Howling', 'Cold'], titleB: ['Altar', 'Void', 'Tomb', 'Winter', 'Flesh', 'Abyss', 'Moon', 'Forest'],
  },
  electronic: {
    adj: ['Kinetic', 'Subtle', 'Deep', 'Prism', 'Vector', 'Static', 'Orbit', 'Ether', 'Lunar', 'Hidden'],
    noun: ['Systems', 'Theory', 'Unit', 'Signal', 'Circuit', 'Motion', 'Form', 'Frequency', 'Drift', 'Tide'],
    first: ['Kai', 'Lio', 'Sasha', 'Moritz', 'Yuki', 'Anja', 'Tomas', 'Ezra'], last: ['Kessler', 'Novak', 'Brandt', 'Okafor', 'Lindqvist', 'Duval'],
    labels: ['Warp Sandbox', 'Kompakt Demo', 'Hyperdub Test', 'Ninja Tune Sandbox'],
    patterns: ['{adj} {noun}', '{first} {last}', 'DJ {adj}', '{adj}{noun}'], titleA: ['Analog', 'Deep', 'Night', 'Hyper', 'Liquid', 'Lost', 'Digital', 'Warehouse'], titleB: ['Groove', 'Pressure', 'Rhythm', 'Tension', 'Dub', 'Loop', 'Sequence', 'Bass'],
  },
  hiphop: {
    adj: ['Lil', 'Young', 'Big', 'MC', 'Lord', 'King'],
    noun: ['Nova', 'Saint', 'Ghost', 'Verse', 'Cash', 'Smoke', 'Blaze', 'Chief', 'Dice', 'Flow'],
    first: ['Jay', 'Dre', 'Tasha', 'Kendra', 'Malik', 'Rico', 'Nia', 'Quentin'], last: ['Beats', 'Loops', 'Tapes', 'Cuts', 'Dilla', 'Sample'],
    labels: ['Def Jam Sandbox', 'Rawkus Demo', 'Chillhop Test', 'Stones Throw Sandbox'],
    patterns: ['{adj} {noun}', '{noun} Gang', '{first} {last}', '{noun}'], titleA: ['Late', 'Cold', 'Real', 'Street', 'Rainy', 'Lazy', 'Money', 'Boom'], titleB: ['Nights', 'Talk', 'Cipher', 'Sunday', 'Tapes', 'Cafe', 'Dreams', 'Bap'],
  },
  jazz: {
    adj: ['Blue', 'Modal', 'Smoky', 'Late'], noun: ['Quartet', 'Trio', 'Quintet', 'Sextet', 'Orchestra', 'Big Band'],
    first: ['Art', 'Dexter', 'Horace', 'Lee', 'Hank', 'Cedar', 'Blossom', 'Carmen', 'Wynton', 'Sonny', 'Elvin', 'Shirley'], last: ['Blakely', 'Gordon', 'Silverton', 'Morganfield', 'Mobley', 'Walton', 'Dearie', 'Redd', 'Tatum', 'Pepper'],
    labels: ['Blue Note Sandbox', 'Prestige Demo', 'Riverside Test', 'Impulse Sandbox'],
    patterns: ['{first} {last}', '{first} {last} {noun}', 'The {first} {last} {noun}'], titleA: ['Blue', 'Moanin\'', 'Round', 'Speak', 'Soul', 'Night', 'Autumn', 'Cool'], titleB: ['Train', 'Midnight', 'Bossa', 'Strut', 'Groove', 'Ballad', 'Blues', 'Steps'],
  },
  soul: {
    adj: ['Sweet', 'Velvet', 'Golden', 'Brown', 'Silky'], noun: ['Soul', 'Tones', 'Groove', 'Sugar', 'Miracles', 'Temptations', 'Vibrations'],
    first: ['Marvin', 'Aretha', 'Curtis', 'Erykah', 'Maxwell', 'Gladys', 'Smokey', 'Jill', 'Bilal', 'Minnie'], last: ['Greene', 'Baylor', 'Mayweather', 'Scott', 'Knight', 'Riperton', 'Redding', 'Wonderly'],
    labels: ['Motown Sandbox', 'Stax Demo', 'Soulection Test'],
    patterns: ['{first} {last}', '{first} {last} & The {noun}', 'The {adj} {noun}'], titleA: ['Sweet', 'Let\'s', 'Inner', 'Baby', 'Ooh', 'Higher', 'Love', 'Lady'], titleB: ['Love', 'Feeling', 'Groove', 'Thing', 'Child', 'Ground', 'Soul', 'Time'],
  },
  classical: {
    adj: ['Leipzig', 'Venice', 'Vienna', 'Amsterdam', 'London', 'Prague', 'Bologna'], noun: ['Consort', 'Chamber Orchestra', 'Baroque Ensemble', 'Philharmonic', 'String Quartet', 'Collegium'],
    first: ['Johanna', 'Ludwig', 'Clara', 'Anton', 'Elisabeth', 'Friedrich', 'Yo', 'Martha', 'Glenn', 'Hilary'], last: ['Richter', 'Bachmann', 'Schiller', 'Kovacs', 'Moreau', 'Argento', 'Lindberg', 'Hahnemann'],
    labels: ['Deutsche Grammophon Sandbox', 'Harmonia Mundi Demo', 'Naxos Test', 'ECM Sandbox'],
    patterns: ['{adj} {noun}', '{first} {last}', '{first} {last}', 'Ensemble {adj}'], titleA: ['Concerto in D', 'Sonata No. 3', 'Suite in G', 'Partita No. 2', 'Nocturne', 'Cantata BWV 140', 'Symphony No. 5', 'Prelude in C'], titleB: ['I. Allegro', 'II. Adagio', 'III. Presto', 'IV. Largo', 'Gigue', 'Sarabande', 'Menuet', 'Andante'],
  },
  country: {
    adj: ['Dusty', 'Lonesome', 'Rusty', 'Whiskey', 'Blue', 'Red'], noun: ['Ramblers', 'Drifters', 'Pickers', 'Mountain Boys', 'Highwaymen', 'Wranglers'],
    first: ['Waylon', 'Loretta', 'Merle', 'Emmylou', 'Cody', 'Dolly', 'Townes', 'Sturgill', 'Tammy', 'Hank'], last: ['Jennings', 'Harlan', 'Crowell', 'Pruitt', 'McCoy', 'Tillman', 'Boone', 'Colter'],
    labels: ['Sun Records Sandbox', 'Rounder Demo', 'Nashville Test'],
    patterns: ['{first} {last}', '{first} {last} & the {noun}', 'The {adj} {noun}'], titleA: ['Whiskey', 'Lonesome', 'Long', 'Dusty', 'Honky Tonk', 'Mama\'s', 'Outlaw', 'Kentucky'], titleB: ['Road', 'River', 'Blues', 'Heartache', 'Morning', 'Sky', 'Waltz', 'Train'],
  },
  latin: {
    adj: ['Los', 'La', 'El', 'Orquesta'], noun: ['Tigres', 'Sonora', 'Caribe', 'Fuego', 'Luna', 'Sol', 'Barrio'],
    first: ['João', 'Astrud', 'Celia', 'Héctor', 'Rubén', 'Bad', 'Karol', 'Nicky', 'Marisa', 'Tito', 'Elis', 'Jorge'], last: ['Gilberto', 'Lavoe', 'Blades', 'Puente', 'Jobim', 'Regina', 'Ayala', 'Benítez', 'Muñoz', 'Peña'],
    labels: ['Fania Sandbox', 'Verve Brasil Demo', 'Rimas Test'],
    patterns: ['{first} {last}', '{adj} {noun}', '{first} {last} y su {noun}'], titleA: ['Garota', 'Noche', 'Corazón', 'Águas', 'Baila', 'Mi', 'Desafinado', 'Fuego'], titleB: ['de Ipanema', 'Caliente', 'de Março', 'Conmigo', 'Bonita', 'Amor', 'Azul', 'Tropical'],
  },
  kpop: {
    adj: ['STAR', 'NOVA', 'LUNA', 'BLISS', 'AURA', 'VIVID', 'ECHO', 'PRISM'], noun: ['9', 'X', 'ZONE', 'GIRLS', 'BOYS', 'WAVE', 'LIGHT', 'ON'],
    first: ['Ji-woo', 'Min-ho', 'Seo-yeon', 'Tae-yang', 'Hye-jin'], last: ['Kim', 'Park', 'Lee', 'Choi', 'Jung'],
    labels: ['SM Sandbox', 'YG Demo', 'HYBE Test'],
    patterns: ['{adj}{noun}', '{adj} {noun}', '{last} {first}'], titleA: ['Love', 'Dynamite', 'Fever', 'Candy', 'Boom', 'Shine', 'Dream', 'Hot'], titleB: ['Shot', 'Trigger', 'Rush', 'Bomb', 'Day', 'Ride', 'Game', 'Beat'],
  },
  jpop: {
    adj: ['Tokyo', 'Sakura', 'Neon', 'Plastic', 'Midnight', 'Summer'], noun: ['Love', 'Drive', 'Resort', 'Magic', 'Club'],
    first: ['Mariya', 'Tatsuro', 'Hikaru', 'Anri', 'Yumi', 'Haruomi', 'Taeko', 'Kenji'], last: ['Takeuchi', 'Yamashita', 'Utada', 'Ohnuki', 'Hosono', 'Matsubara', 'Arai'],
    labels: ['Toshiba EMI Sandbox', 'Victor Demo', 'Avex Test'],
    patterns: ['{first} {last}', '{adj} {noun}', '{last} {first}'], titleA: ['Plastic', 'Midnight', 'Stay', 'Sparkle', 'First', 'Tokyo', 'Summer', 'Blue'], titleB: ['Love', 'Pretender', 'with Me', 'Drive', 'Snow', 'Lights', 'Breeze', 'City'],
  },
  folk: {
    adj: ['Fleet', 'Cedar', 'Willow', 'Timber', 'Little', 'Gentle', 'Wandering'], noun: ['Foxes', 'Pines', 'Sparrows', 'Hollow', 'Creek', 'Owls', 'Valley'],
    first: EN_FIRST, last: EN_LAST, labels: ['Jagjaguwar Sandbox', 'Secretly Canadian Demo', 'Nonesuch Test'],
    patterns: ['{first} {last}', 'The {adj} {noun}', '{adj} {noun}'], titleA: TITLE_A, titleB: TITLE_B,
  },
  afro: {
    adj: ['Lagos', 'Accra', 'Afrika', 'Abuja'], noun: ['Egypt 80', 'Arkestra', 'Vibration', 'Collective', 'Band'],
    first: ['Fela', 'Tony', 'Burna', 'Tiwa', 'Seun', 'Ayo', 'Wizkid', 'Yemi', 'Tems', 'Femi'], last: ['Kuti', 'Allen', 'Adewale', 'Okonkwo', 'Balogun', 'Eze', 'Ade', 'Obi'],
    labels: ['Strut Sandbox', 'Mavin Demo', 'Soundway Test'],
    patterns: ['{first} {last}', '{adj} {noun}', '{first} {last} & {noun}'], titleA: ['Water', 'Zombie', 'Lady', 'Ye', 'Essence', 'Shakara', 'Love', 'Sorry'], titleB: ['No Get Enemy', 'Dance', 'Oh', 'Vibe', 'Riddim', 'Sun', 'Fire', 'Wahala'],
  },
};

export function familyWords(family: Family): Words {
  return WORDS[family];
}

/** An artist name for a genre, from that genre family's word lists. */
export function artistName(rng: Rng, family: Family): string {
  const w = WORDS[family];
  const pattern = rng.pick(w.patterns);
  return pattern.replace(/\{(adj|noun|first|last)\}/g, (_m, k: 'adj' | 'noun' | 'first' | 'last') => rng.pick(w[k]));
}

export function songTitle(rng: Rng, family: Family): string {
  const w = WORDS[family];
  if (family === 'classical') return `${rng.pick(w.titleA)}: ${rng.pick(w.titleB)}`;
  const a = rng.pick(w.titleA);
  const b = rng.pick(w.titleB);
  const r = rng.float();
  if (r < 0.45) return `${a} ${b}`;
  if (r < 0.65) return b;
  if (r < 0.8) return `${b} (${a})`;
  return `The ${a} ${b}`;
}

export function albumTitle(rng: Rng, family: Family, artist: string): string {
  const w = WORDS[family];
  const r = rng.float();
  if (family === 'classical') return `${rng.pick(w.titleA)} — ${rng.pick(['Complete Works', 'Recordings', 'Live in Concert', 'Selected Works'])}`;
  if (r < 0.1) return artist;
  if (r < 0.2) return `Live at the ${rng.pick(['Fillmore', 'Village Vanguard', 'Roundhouse', 'Apollo', 'Budokan'])}`;
  if (r < 0.6) return `${rng.pick(w.titleA)} ${rng.pick(w.titleB)}`;
  return rng.pick(w.titleB);
}
