import { InsertRowCounter } from './insert-row-counter';

/**
 * Shaped as mariadb-dump writes it: statements on one line or a row per line, strings with
 * escapes, parentheses and semicolons, and an INSERT in a trigger body after the data.
 */
const DUMP = [
  '-- MariaDB dump 10.19',
  '',
  '--',
  '-- Table structure for table `orders`',
  '--',
  '',
  'CREATE TABLE `orders` (`id` int NOT NULL, `note` text) ENGINE=InnoDB;',
  '',
  '--',
  '-- Dumping data for table `orders`',
  '--',
  '',
  'LOCK TABLES `orders` WRITE;',
  '/*!40000 ALTER TABLE `orders` DISABLE KEYS */;',
  "INSERT INTO `orders` VALUES (1,'a (b), c'),(2,'it\\'s (x)'),(3,'back\\\\'),(4,NULL);",
  'INSERT INTO `orders` VALUES',
  "(5,'line\\nbreak;'),",
  '(6,0x28292C);',
  '/*!40000 ALTER TABLE `orders` ENABLE KEYS */;',
  'UNLOCK TABLES;',
  '',
  '--',
  '-- Dumping data for table `we``ird`',
  '--',
  '',
  'LOCK TABLES `we``ird` WRITE;',
  'UNLOCK TABLES;',
  "INSERT INTO `orders` VALUES (7,'in a trigger body, not data');",
  '',
].join('\n');

const EXPECTED = [
  { table: 'orders', rows: 6 },
  { table: 'we`ird', rows: 0 },
];

describe('InsertRowCounter', () => {
  it('counts the rows of each table of a dump seen whole', () => {
    const counter = new InsertRowCounter();
    counter.see(Buffer.from(DUMP));
    expect(counter.tables()).toEqual(EXPECTED);
  });

  it('counts the same however the dump is cut into chunks', () => {
    const bytes = Buffer.from(DUMP);
    for (const size of [1, 2, 3, 7, 13, 64]) {
      const counter = new InsertRowCounter();
      for (let i = 0; i < bytes.length; i += size) counter.see(bytes.subarray(i, i + size));
      expect(counter.tables()).toEqual(EXPECTED);
    }
  });

  it('counts a line longer than its head', () => {
    const row = (i: number) => `(${i},'${'x'.repeat(300)}')`;
    const line = `INSERT INTO \`big\` VALUES ${[1, 2, 3].map(row).join(',')};`;
    const dump = `-- Dumping data for table \`big\`\n${line}\nUNLOCK TABLES;\n`;
    for (const size of [1, 100, 10_000]) {
      const counter = new InsertRowCounter();
      const bytes = Buffer.from(dump);
      for (let i = 0; i < bytes.length; i += size) counter.see(bytes.subarray(i, i + size));
      expect(counter.tables()).toEqual([{ table: 'big', rows: 3 }]);
    }
  });
});
