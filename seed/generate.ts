import { faker } from '@faker-js/faker';
import { CITIES, CITY_WEIGHTS, MAKES, type BodyType } from './data/makes';

/**
 * Deterministic marketplace data: a fixed faker seed and a fixed clock, so every run (and every
 * machine) produces the same rows. Pure: no I/O, so the loader decides how to write it.
 */
export const SCALES = {
  small: { users: 2_000, offers: 20_000, reviews: 40_000 },
  large: { users: 20_000, offers: 200_000, reviews: 400_000 },
} as const;
export type Scale = keyof typeof SCALES;

const NOW = Date.UTC(2026, 0, 1);
const DAY = 86_400_000;
export const DEMO_EMAIL = 'demo@autograph.dev';
const ADMIN_EMAIL = 'admin@autograph.dev';

export interface SeedData {
  makes: { id: string; name: string; country: string; createdAt: Date }[];
  models: { id: string; makeId: string; name: string; bodyType: BodyType; createdAt: Date }[];
  generations: { id: string; modelId: string; name: string; yearFrom: number; yearTo: number | null }[];
  users: {
    id: string;
    email: string;
    name: string;
    kind: 'PRIVATE' | 'DEALER';
    city: string;
    roles: string[];
    createdAt: Date;
  }[];
  offers: {
    id: string;
    sellerId: string;
    modelId: string;
    makeId: string;
    title: string;
    price: number;
    currency: 'RUB' | 'USD' | 'EUR';
    year: number;
    mileageKm: number;
    city: string;
    status: 'ACTIVE' | 'SOLD' | 'ARCHIVED';
    photos: { url: string; width: number; height: number }[];
    createdAt: Date;
    updatedAt: Date;
  }[];
  reviews: { id: string; modelId: string; authorId: string; rating: number; text: string; createdAt: Date }[];
}

export function generateSeedData(scale: Scale, fraction = 1): SeedData {
  faker.seed(20260101);
  const sizes = SCALES[scale];
  const count = (n: number) => Math.max(10, Math.round(n * fraction));
  const daysAgo = (max: number) => new Date(NOW - Math.floor(faker.number.float({ min: 0, max }) * DAY));

  const makes: SeedData['makes'] = [];
  const models: (SeedData['models'][number] & { generations: SeedData['generations']; makeIndex: number })[] = [];
  const generations: SeedData['generations'] = [];
  MAKES.forEach((spec, makeIndex) => {
    const make = {
      id: faker.string.uuid(),
      name: spec.name,
      country: spec.country,
      createdAt: new Date(NOW - 1000 * DAY),
    };
    makes.push(make);
    for (const [name, bodyType, gens] of spec.models) {
      const model = {
        id: faker.string.uuid(),
        makeId: make.id,
        name,
        bodyType,
        createdAt: make.createdAt,
        generations: [] as SeedData['generations'],
        makeIndex,
      };
      for (const gen of gens.split(',')) {
        const [genName, years] = gen.split(':') as [string, string];
        const [from, to] = years.split('-');
        const generation = {
          id: faker.string.uuid(),
          modelId: model.id,
          name: genName,
          yearFrom: Number(from),
          yearTo: to ? Number(to) : null,
        };
        model.generations.push(generation);
        generations.push(generation);
      }
      models.push(model);
    }
  });

  const users: SeedData['users'] = [];
  const userTotal = count(sizes.users);
  for (let i = 0; i < userTotal; i++) {
    const dealer = i >= 2 && faker.number.float() < 0.1;
    const first = faker.person.firstName();
    const last = faker.person.lastName();
    const email =
      i === 0
        ? DEMO_EMAIL
        : i === 1
          ? ADMIN_EMAIL
          : `${first}.${last}.${i}@example.com`.toLowerCase().replace(/[^a-z0-9.@-]/g, '');
    const roles = [
      'BUYER',
      'SELLER',
      ...(dealer ? ['DEALER'] : []),
      ...(i === 1 || (i > 2 && i % 997 === 0) ? ['ADMIN'] : []),
      ...(i > 2 && i % 401 === 0 ? ['MODERATOR'] : []),
    ];
    users.push({
      id: faker.string.uuid(),
      email,
      name: i === 0 ? 'Demo Seller' : i === 1 ? 'Admin' : dealer ? `${last} Motors` : `${first} ${last}`,
      kind: dealer ? 'DEALER' : 'PRIVATE',
      city: faker.helpers.weightedArrayElement(CITIES.map((value, j) => ({ value, weight: CITY_WEIGHTS[j]! }))),
      roles,
      createdAt: daysAgo(1500),
    });
  }

  // Dealers list far more cars than private sellers; the demo account gets a handful.
  const pickSeller = weightedPicker(users, (u, i) => (i === 0 ? 0.5 : u.kind === 'DEALER' ? 25 : 1));
  const pickModel = weightedPicker(models, (m) => MAKES[m.makeIndex]!.weight / MAKES[m.makeIndex]!.models.length);
  const offers: SeedData['offers'] = [];
  const offerTotal = count(sizes.offers);
  for (let i = 0; i < offerTotal; i++) {
    const seller = pickSeller();
    const model = pickModel();
    const generation = faker.helpers.arrayElement(model.generations);
    const year = faker.number.int({
      min: Math.max(generation.yearFrom, 1990),
      max: Math.min(generation.yearTo ?? 2026, 2026),
    });
    const age = 2026 - year;
    const rubles = MAKES[model.makeIndex]!.basePrice * 0.88 ** age * faker.number.float({ min: 0.8, max: 1.25 });
    const currency = faker.helpers.weightedArrayElement([
      { value: 'RUB' as const, weight: 90 },
      { value: 'USD' as const, weight: 6 },
      { value: 'EUR' as const, weight: 4 },
    ]);
    const price =
      Math.round((currency === 'RUB' ? rubles : rubles / (currency === 'USD' ? 90 : 100)) / 1000) * 1000 * 100;
    const id = faker.string.uuid();
    const createdAt = daysAgo(730);
    const engine = faker.helpers.arrayElement(['1.6', '2.0', '2.5', '1.4 T', '3.0', '1.5 T', '2.0 T']);
    const gearbox = faker.helpers.arrayElement(['AT', 'MT', 'CVT', 'AMT']);
    offers.push({
      id,
      sellerId: seller.id,
      modelId: model.id,
      makeId: model.makeId,
      title: `${MAKES[model.makeIndex]!.name} ${model.name} ${engine} ${gearbox}, ${year}`,
      price: Math.max(price, 100_000),
      currency,
      year,
      mileageKm: Math.round(Math.max(age, 0.2) * faker.number.int({ min: 6_000, max: 25_000 })),
      city: faker.number.float() < 0.85 ? seller.city : faker.helpers.arrayElement(CITIES),
      status: faker.helpers.weightedArrayElement([
        { value: 'ACTIVE' as const, weight: 80 },
        { value: 'SOLD' as const, weight: 15 },
        { value: 'ARCHIVED' as const, weight: 5 },
      ]),
      photos: Array.from({ length: faker.number.int({ min: 0, max: 6 }) }, (_, n) => ({
        url: `https://img.autograph.dev/offers/${id}/${n + 1}.jpg`,
        width: 1600,
        height: 1200,
      })),
      createdAt,
      updatedAt: createdAt,
    });
  }

  const reviews: SeedData['reviews'] = [];
  const reviewTotal = Math.min(count(sizes.reviews), Math.floor(userTotal * models.length * 0.5));
  const seen = new Set<string>();
  while (reviews.length < reviewTotal) {
    const author = faker.helpers.arrayElement(users);
    const model = pickModel();
    const pair = `${author.id}|${model.id}`;
    if (seen.has(pair)) continue;
    seen.add(pair);
    reviews.push({
      id: faker.string.uuid(),
      modelId: model.id,
      authorId: author.id,
      rating: faker.helpers.weightedArrayElement(
        [1, 2, 3, 4, 5].map((value, j) => ({ value, weight: [5, 5, 15, 35, 40][j]! })),
      ),
      text: faker.lorem.sentences({ min: 1, max: 8 }).padEnd(10, '.'),
      createdAt: daysAgo(1000),
    });
  }

  return {
    makes,
    models: models.map(({ generations: _g, makeIndex: _m, ...model }) => model),
    generations,
    users,
    offers,
    reviews,
  };
}

/** Weighted choice in O(log n) (faker's is O(n), too slow for 200k picks over 20k sellers). */
function weightedPicker<T>(items: T[], weightOf: (item: T, index: number) => number): () => T {
  const cumulative: number[] = [];
  let total = 0;
  for (const [i, item] of items.entries()) cumulative.push((total += weightOf(item, i)));
  return () => {
    const target = faker.number.float({ min: 0, max: total });
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (cumulative[mid]! < target) low = mid + 1;
      else high = mid;
    }
    return items[low]!;
  };
}
